/**
 * Servers as streaming engines: OpenAI-compatible and Ollama endpoints over the JDK's HttpClient, and
 * a llama-server that edgebench starts from its own engine build. May import the engine interfaces,
 * {@code dev.edgebench.engine.llama}'s loader (to find the build) and the JDK; not JMH, not the result format.
 */
package dev.edgebench.engine.http;
