package dev.edgebench.engine.http;

import dev.edgebench.engine.EngineFacts;
import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.engine.StreamingEngineProvider;

import java.nio.file.Path;
import java.util.List;

/**
 * Opens the HTTP engines: {@code openai:<base url>}, {@code ollama:<base url>} (servers already
 * running, used by address) and {@code llama-server} (started here from the engine build, on
 * loopback, with the run's model; stopped when the engine closes). Options: {@link HttpEngineSpec}.
 * Stateless and thread-safe.
 */
public final class HttpEngineProvider implements StreamingEngineProvider {
    @Override
    public boolean accepts(String spec) {
        return HttpEngineSpec.accepts(spec);
    }

    @Override
    public String describe() {
        return "openai:<url>[,api=completions|chat|llama][,model=NAME] | ollama:<url>[,model=NAME] | llama-server[,...]: "
                + "servers over HTTP (llama-server is built with the engine and started on 127.0.0.1)";
    }

    @Override
    public EngineFacts preflight(String spec) {
        HttpEngineSpec s = HttpEngineSpec.parse(spec);
        if (s.family().equals("llama-server")) {
            return new EngineFacts(spec, "local server", LlamaServerProcess.locateBinary().toString(), "127.0.0.1", null, true);
        }
        try {
            return new EngineFacts(spec, "server", null, s.baseUri().toString(), HttpStreamingEngine.probe(s), false);
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("engine " + spec + ": " + e.getCause().getMessage(), e);
        }
    }

    @Override
    public StreamingEngine open(String spec, StreamingEngineOptions options) {
        return open(spec, options, null);
    }

    /**
     * As {@link #open(String, StreamingEngineOptions)}, with llama-server's log written to
     * {@code logDir/llama-server.log} (a run folder), or to a temporary file when null.
     */
    public HttpStreamingEngine open(String spec, StreamingEngineOptions options, Path logDir) {
        HttpEngineSpec s = HttpEngineSpec.parse(spec);
        if (!s.family().equals("llama-server")) {
            return HttpStreamingEngine.open(s, options.modelRef(), null);
        }
        if (options.modelFile() == null) {
            throw new IllegalArgumentException("engine llama-server needs a GGUF model file (--model NAME:TYPE or a path)");
        }
        LlamaServerProcess server = LlamaServerProcess.start(new LlamaServerProcess.Options(LlamaServerProcess.locateBinary(),
                options.modelFile(), Math.max(1, options.slots()), Math.max(1, options.nCtxPerSlot()), options.nThreads(),
                options.nUbatch(), options.nGpuLayers(), options.flashAttn(), options.cacheType(), List.of(),
                logDir == null ? null : logDir.resolve("llama-server.log"), s.readyTimeout()));
        try {
            return HttpStreamingEngine.open(s.at(server.baseUri()), options.modelRef(), server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }
}
