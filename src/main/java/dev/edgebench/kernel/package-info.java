/**
 * Kernel-level benchmarks built from a model's own architecture.
 *
 * <ul>
 *   <li>{@link dev.edgebench.kernel.OpInventory}: the distinct ggml kernels of one decode or
 *       prefill step ({@link dev.edgebench.kernel.KernelSpec}: op, source types and shapes,
 *       parameters) with how often each runs, from a GGUF file or the catalog
 *       ({@link dev.edgebench.kernel.ModelShape});</li>
 *   <li>{@link dev.edgebench.kernel.KernelGraph}: one kernel as a single-op graph of many copies
 *       on any ggml backend ({@link dev.edgebench.kernel.GgmlBackend}), with seeded random inputs;
 *       {@link dev.edgebench.kernel.KernelTiming} times it the way test-backend-ops does;</li>
 *   <li>{@link dev.edgebench.kernel.StepProfile}: the real step through the engine, and on the CPU
 *       its per-node times through the graph evaluation callback
 *       ({@link dev.edgebench.kernel.EngineStep});</li>
 *   <li>{@link dev.edgebench.kernel.TestBackendOps}: the pinned test-backend-ops on the same
 *       kernels, for back-to-back comparisons.</li>
 * </ul>
 *
 * Units are in names: {@code us} microseconds, {@code ms} milliseconds, {@code GBps} 10^9 bytes
 * per second, {@code Gflops} 10^9 floating-point operations per second. Imports the ggml and llama
 * bindings, the engine, model and latency packages; never JMH or the result format.
 */
package dev.edgebench.kernel;
