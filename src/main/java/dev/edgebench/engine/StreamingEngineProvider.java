package dev.edgebench.engine;

import java.util.ServiceLoader;

/**
 * Opens {@link StreamingEngine}s from the engine specifications users type ({@code llama-batched},
 * {@code trtllm:/engines/llama3b}, {@code openai:http://127.0.0.1:8000}, ...). Providers are found
 * with {@link ServiceLoader} ({@code META-INF/services/dev.edgebench.engine.StreamingEngineProvider}),
 * so an engine family adds itself without the run pipeline naming it.
 */
public interface StreamingEngineProvider {
    /** @return whether this provider opens engines of {@code spec} */
    boolean accepts(String spec);

    /** @return one line for {@code --help}: the specification's form and what it opens */
    String describe();

    /**
     * @throws IllegalArgumentException when the specification or the options are unusable (named)
     */
    StreamingEngine open(String spec, StreamingEngineOptions options);

    /**
     * What can be known and checked before a run starts, without loading a model: the engine's
     * library is there and loads, its directory holds an engine, its server answers.
     *
     * @return the facts the run records
     * @throws IllegalArgumentException naming what is missing or unreachable
     */
    EngineFacts preflight(String spec);

    /**
     * @return the provider that accepts {@code spec}
     * @throws IllegalArgumentException listing the known forms when none does
     */
    static StreamingEngineProvider forSpec(String spec) {
        StringBuilder known = new StringBuilder();
        for (StreamingEngineProvider p : ServiceLoader.load(StreamingEngineProvider.class)) {
            if (p.accepts(spec)) {
                return p;
            }
            known.append("\n  ").append(p.describe());
        }
        throw new IllegalArgumentException("unknown engine '" + spec + "'; known:" + known);
    }
}
