package dev.edgebench.engine;

import dev.edgebench.model.GgmlType;

import java.nio.file.Path;

/**
 * How to open a {@link StepSession}: the model and the engine settings. Names mirror llama.cpp's
 * ({@code n_gpu_layers}, {@code n_ctx}, ...); engines that lack a setting ignore it and say so
 * in their description.
 *
 * @param model      the GGUF model file
 * @param nGpuLayers layers on the GPU: -1 = all, 0 = none
 * @param nCtx       context size in tokens over all sequences
 * @param nBatch     most tokens per decode call
 * @param nUbatch    physical batch size
 * @param nSeq       parallel sequences (batch size B of the benchmarks)
 * @param nThreads   CPU threads
 * @param flashAttn  "auto", "on" or "off"
 * @param typeK      K cache type
 * @param typeV      V cache type
 * @param seed       seed of the random prompt and generated tokens
 */
public record SessionConfig(Path model, int nGpuLayers, int nCtx, int nBatch, int nUbatch, int nSeq, int nThreads,
                            String flashAttn, GgmlType typeK, GgmlType typeV, long seed) {
    /**
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public SessionConfig {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        positive("nCtx", nCtx);
        positive("nBatch", nBatch);
        positive("nUbatch", nUbatch);
        positive("nSeq", nSeq);
        positive("nThreads", nThreads);
        if (nGpuLayers < -1) {
            throw new IllegalArgumentException("nGpuLayers must be -1 (all), 0 or positive, was " + nGpuLayers);
        }
        if (!flashAttn.equals("auto") && !flashAttn.equals("on") && !flashAttn.equals("off")) {
            throw new IllegalArgumentException("flashAttn must be auto, on or off, was '" + flashAttn + "'");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }
}
