/**
 * The results history: a JDBC store (SQLite embedded, PostgreSQL for a fleet) of ingested runs,
 * change-point detection over each series, the Bencher export and the trend page. Reads runs
 * through {@code dev.edgebench.compare} and {@code dev.edgebench.results}; imports no native
 * library, no engine and no JMH.
 */
package dev.edgebench.history;
