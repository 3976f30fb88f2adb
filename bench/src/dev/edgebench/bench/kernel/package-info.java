/**
 * JMH benchmarks of single ggml ops, the kernel suite that runs them and the study behind the
 * kernels command (measurement and orchestration; the cli package only prints). May import the
 * kernel, engine, model, latency and run packages.
 */
package dev.edgebench.bench.kernel;
