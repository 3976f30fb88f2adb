package dev.edgebench.engine.request;

/**
 * Engine configuration ({@code ebr_config}); 0 (or -1 where noted) lets the engine choose. Fields an
 * engine does not use are ignored: the first group is read by {@link RequestBackend#LLAMA}, the
 * second by {@link RequestBackend#TRTLLM}; {@code maxQueued} by both.
 *
 * @param nCtx                  llama: KV cache size in tokens, all sequences together (0: the model's)
 * @param nBatch                llama: most tokens per iteration (0: 2048)
 * @param nUbatch               llama: physical batch, the prompt chunk (0: 512)
 * @param nSeqMax               llama: most requests in the running batch (0: 1)
 * @param nThreads              llama: CPU threads (0: engine default)
 * @param nThreadsBatch         llama: CPU threads for prompt chunks (0: nThreads)
 * @param nGpuLayers            llama: layers on the GPU (-1: all)
 * @param flashAttn             llama: -1 auto, 0 off, 1 on
 * @param typeK                 llama: K cache ggml type id (-1: default)
 * @param typeV                 llama: V cache ggml type id (-1: default)
 * @param useMmap               llama, trtllm v0.12: -1 default, 0 off, 1 on
 * @param kvUnified             llama: -1 default, 0 per-sequence KV buffers, 1 one buffer
 * @param maxQueued             requests waiting for a slot before submit is refused (0: 4096 / engine default)
 * @param maxBeamWidth          trtllm (0: 1)
 * @param maxBatchSize          trtllm (0: the engine's)
 * @param maxNumTokens          trtllm (0: the engine's)
 * @param kvMaxTokens           trtllm (0: as the memory fraction allows)
 * @param kvEnableBlockReuse    trtllm: 0 or 1, always applied (the pins' defaults differ)
 * @param schedulerPolicy       trtllm: 0 guaranteed no evict, 1 max utilization
 * @param iterStatsMaxIterations trtllm: iterations kept for the statistics (0: 1000)
 * @param returnPerfMetrics     trtllm 1.x: ask for per-request engine times (1)
 * @param kvFreeGpuMemFraction  trtllm: KV cache share of free GPU memory (0: engine default 0.9)
 */
public record RequestEngineConfig(int nCtx, int nBatch, int nUbatch, int nSeqMax, int nThreads, int nThreadsBatch,
                                  int nGpuLayers, int flashAttn, int typeK, int typeV, int useMmap, int kvUnified,
                                  int maxQueued, int maxBeamWidth, int maxBatchSize, int maxNumTokens, int kvMaxTokens,
                                  int kvEnableBlockReuse, int schedulerPolicy, int iterStatsMaxIterations,
                                  int returnPerfMetrics, float kvFreeGpuMemFraction) {

    /** @return the engine's defaults (what {@code ebr_config_init} sets) */
    public static RequestEngineConfig defaults() {
        return new RequestEngineConfig(0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0f);
    }

    /**
     * @return a llama configuration: {@code slots} requests in flight, {@code nCtxPerSlot} tokens of
     *         context each, prompts in chunks of {@code nUbatch}, {@code nThreads} CPU threads and
     *         {@code nGpuLayers} layers on the GPU
     */
    public static RequestEngineConfig llama(int slots, int nCtxPerSlot, int nUbatch, int nThreads, int nGpuLayers) {
        RequestEngineConfig d = defaults();
        return new RequestEngineConfig(slots * nCtxPerSlot, Math.max(2048, slots), nUbatch, slots, nThreads, nThreads, nGpuLayers,
                d.flashAttn, d.typeK, d.typeV, d.useMmap, d.kvUnified, d.maxQueued, d.maxBeamWidth, d.maxBatchSize,
                d.maxNumTokens, d.kvMaxTokens, d.kvEnableBlockReuse, d.schedulerPolicy, d.iterStatsMaxIterations,
                d.returnPerfMetrics, d.kvFreeGpuMemFraction);
    }
}
