/**
 * Speculative decoding, engine-agnostic: acceptance modes and profiles, the per-run counters and
 * the cost model that predicts the speedup from measured parts. Imports nothing of the engines,
 * the bindings or JMH.
 */
package dev.edgebench.speculative;
