package dev.edgebench.engine;

/**
 * An engine that exposes the steps of inference (load, prefill, decode one step): llama.cpp.
 * Benchmarks are written once against this interface.
 */
public interface StepEngine {
    /** @return the engine's name, e.g. "llama.cpp" */
    String name();

    /** @return version, build manifest and devices, for run.json */
    EngineInfo describe();

    /**
     * Loads the model (or reuses it when already loaded with the same GPU layers) and creates a
     * context.
     *
     * @param config settings
     * @param sample whether {@link StepSession#decodeStep()} feeds back the greedy choice (true)
     *               or seeded random tokens (false: sampling excluded, as llama-bench does)
     * @return an open session; close it when done
     */
    StepSession open(SessionConfig config, boolean sample);
}
