package dev.edgebench.engine.llama;

import dev.edgebench.engine.EngineFacts;
import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.engine.StreamingEngineProvider;

/**
 * {@code llama-step}: the step engine serving requests one at a time ({@link StepStreamingEngine}), the
 * side of an engine-vs-engine A/B that has no in-flight batching.
 */
public final class StepEngineProvider implements StreamingEngineProvider {
    @Override
    public boolean accepts(String spec) {
        return StepStreamingEngine.SPEC.equals(spec);
    }

    @Override
    public String describe() {
        return StepStreamingEngine.SPEC + "  llama.cpp's step engine (run's prefill and decode) serving requests one at a time, greedy,"
                + " in-process";
    }

    @Override
    public StreamingEngine open(String spec, StreamingEngineOptions options) {
        if (!accepts(spec)) {
            throw new IllegalArgumentException("engine '" + spec + "' is not " + StepStreamingEngine.SPEC);
        }
        return new StepStreamingEngine(options);
    }

    @Override
    public EngineFacts preflight(String spec) {
        if (!accepts(spec)) {
            throw new IllegalArgumentException("engine '" + spec + "' is not " + StepStreamingEngine.SPEC);
        }
        try {
            LlamaRuntime rt = LlamaRuntime.get();
            return new EngineFacts(spec, "in-process", rt.libraries().libDir().toString(), null,
                    "llama.cpp (" + rt.libraries().profile() + " build)", true);
        } catch (NativeLibraries.NativeLibraryException | UnsatisfiedLinkError e) {
            throw new IllegalArgumentException("engine " + spec + ": " + e.getMessage(), e);
        }
    }
}
