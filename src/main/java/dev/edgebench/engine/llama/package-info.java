/**
 * llama.cpp through its jextract bindings: one loader, one AutoCloseable wrapper per native
 * object, every return code checked in one place. Imports the bindings, engine, model and latency.
 */
package dev.edgebench.engine.llama;
