/**
 * Models: the catalog, the GGUF reader and writer, the synthetic-model forge and model facts. The
 * forge quantizes through the Quantizer interface an engine implements; imports no engine, no JMH.
 */
package dev.edgebench.model;
