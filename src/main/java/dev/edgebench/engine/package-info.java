/**
 * The engine interfaces (step engines and request engines) and their configuration. Engines know
 * neither JMH nor the result format: they import the bindings, the model package and the latency
 * package's timelines only.
 */
package dev.edgebench.engine;
