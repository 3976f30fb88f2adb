/**
 * Developer-profiling hooks on the step path: NVTX ranges (through the generated nvtx bindings)
 * and JFR step events, installed around a step session only when asked. Imports the engine
 * interfaces, the engine's library locator, the nvtx bindings and the run package's flag names;
 * never JMH, the benchmarks or the result format.
 */
package dev.edgebench.profiling;
