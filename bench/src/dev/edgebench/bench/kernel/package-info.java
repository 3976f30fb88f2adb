/**
 * JMH benchmarks of single ggml ops and their profiler (the kernel suite's measuring side). May
 * import the kernel, engine and run packages.
 */
package dev.edgebench.bench.kernel;
