/**
 * The JMH layer: one benchmark class per workload, the profilers that publish the metric
 * vocabulary as secondary results, and the executor that runs a run plan through JMH forks
 * (preflight, per-benchmark JMH runs, assembly). May import every harness package; nothing but
 * the command line imports it.
 */
package dev.edgebench.bench;
