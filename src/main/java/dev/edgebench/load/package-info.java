/**
 * The request driver (load generator) over any {@link dev.edgebench.engine.StreamingEngine}: closed
 * loop at a concurrency, open loop at a seeded request rate, per-request records. Imports the engine
 * interfaces, the latency maths, the run folder's layout and Jackson; not JMH, not a native library.
 */
package dev.edgebench.load;
