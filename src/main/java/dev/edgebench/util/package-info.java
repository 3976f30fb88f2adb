/**
 * Where edgebench's home is. Imports nothing of the harness.
 */
package dev.edgebench.util;
