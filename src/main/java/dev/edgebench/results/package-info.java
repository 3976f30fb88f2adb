/**
 * A run's results from its folder: assembly of run.json, the summary printer, latency logs and
 * statistics, recovery of killed runs. Imports run, telemetry reports and latency; never the
 * bindings, the engines or JMH.
 */
package dev.edgebench.results;
