package dev.edgebench.engine;

import java.nio.file.Path;

/**
 * What a streaming engine is opened with, whatever its family: an in-process engine uses the model
 * file and the sizes, a server the model's name; each ignores what does not apply to it.
 *
 * @param modelRef    the model as the user named it (catalog {@code NAME:TYPE} or a path): servers' model name
 * @param modelFile   the GGUF file (null when the engine loads its own, e.g. a TensorRT-LLM engine dir)
 * @param slots       requests in flight at most (the concurrency the engine must hold)
 * @param nCtxPerSlot context tokens each request needs
 * @param nUbatch     physical batch
 * @param nThreads    CPU threads (0 = all)
 * @param nGpuLayers  layers on the GPU (-1 = all)
 * @param flashAttn   auto | on | off
 * @param cacheType   K and V cache type
 */
public record StreamingEngineOptions(String modelRef, Path modelFile, int slots, int nCtxPerSlot, int nUbatch, int nThreads,
                                     int nGpuLayers, String flashAttn, String cacheType) {
}
