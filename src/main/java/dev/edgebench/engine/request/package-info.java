/**
 * Request engines behind the C ABI of {@code native/shim/edgebench_request.h} (llama.cpp in-flight
 * batching, the TensorRT-LLM executor): submit requests, poll for token events. May import the
 * generated {@code dev.edgebench.bindings.request}, {@code dev.edgebench.engine.llama}'s loader and
 * the JDK; not JMH, not the result format.
 */
package dev.edgebench.engine.request;
