package dev.edgebench.engine.request;

import dev.edgebench.engine.EngineFacts;
import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.engine.StreamingEngineProvider;
import dev.edgebench.model.GgmlType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Opens the request-ABI engines users can select: {@code llama-batched} (llama.cpp's in-flight
 * batching scheduler over the run's GGUF model) and {@code trtllm:<engine dir>} (the TensorRT-LLM
 * executor over a compiled engine). Found through {@link java.util.ServiceLoader}; stateless.
 */
public final class AbiEngineProvider implements StreamingEngineProvider {
    /** The llama.cpp in-flight batching engine's specification. */
    public static final String LLAMA_BATCHED = "llama-batched";
    /** Prefix of a TensorRT-LLM engine's specification. */
    public static final String TRTLLM_PREFIX = "trtllm:";
    /** Events one poll returns at most: enough for every slot to report a token and a final. */
    private static final int MIN_EVENTS = 64;

    @Override
    public boolean accepts(String spec) {
        return spec.equals(LLAMA_BATCHED) || spec.startsWith(TRTLLM_PREFIX);
    }

    @Override
    public String describe() {
        return LLAMA_BATCHED + " (llama.cpp in-flight batching, in-process, over the run's model) | "
                + TRTLLM_PREFIX + "<engine dir> (TensorRT-LLM executor over a compiled engine)";
    }

    @Override
    public StreamingEngine open(String spec, StreamingEngineOptions o) {
        int events = Math.max(MIN_EVENTS, 4 * o.slots());
        if (spec.equals(LLAMA_BATCHED)) {
            if (o.modelFile() == null) {
                throw new IllegalArgumentException("engine " + LLAMA_BATCHED + " needs a GGUF model file (--model)");
            }
            return AbiRequestEngine.open(RequestBackend.LLAMA, o.modelFile(), llamaConfig(o), events, 4096);
        }
        if (spec.startsWith(TRTLLM_PREFIX)) {
            Path dir = checkEngineDir(spec.substring(TRTLLM_PREFIX.length()));
            RequestEngineConfig d = RequestEngineConfig.defaults();
            RequestEngineConfig c = new RequestEngineConfig(d.nCtx(), d.nBatch(), d.nUbatch(), d.nSeqMax(), d.nThreads(),
                    d.nThreadsBatch(), d.nGpuLayers(), d.flashAttn(), d.typeK(), d.typeV(), d.useMmap(), d.kvUnified(),
                    d.maxQueued(), d.maxBeamWidth(), o.slots(), d.maxNumTokens(), d.kvMaxTokens(), d.kvEnableBlockReuse(),
                    d.schedulerPolicy(), d.iterStatsMaxIterations(), d.returnPerfMetrics(), d.kvFreeGpuMemFraction());
            return AbiRequestEngine.open(RequestBackend.TRTLLM, dir, c, events, 4096);
        }
        throw new IllegalArgumentException("engine '" + spec + "' is not a request-ABI engine; known: " + describe());
    }

    @Override
    public EngineFacts preflight(String spec) {
        try {
            if (spec.equals(LLAMA_BATCHED)) {
                String[] lib = AbiRequestEngine.describeLibrary(RequestBackend.LLAMA);
                return new EngineFacts(spec, "in-process", lib[0], null, lib[1], true);
            }
            if (spec.startsWith(TRTLLM_PREFIX)) {
                Path dir = checkEngineDir(spec.substring(TRTLLM_PREFIX.length()));
                String[] lib = AbiRequestEngine.describeLibrary(RequestBackend.TRTLLM);
                return new EngineFacts(spec, "in-process", lib[0], dir.toString(), lib[1], false);
            }
        } catch (RequestEngineException | dev.edgebench.engine.llama.NativeLibraries.NativeLibraryException e) {
            throw new IllegalArgumentException("engine " + spec + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("engine '" + spec + "' is not a request-ABI engine; known: " + describe());
    }

    /** The llama scheduler sized for the options: one slot per request in flight, each with its own context. */
    static RequestEngineConfig llamaConfig(StreamingEngineOptions o) {
        if (o.slots() < 1 || o.nCtxPerSlot() < 1) {
            throw new IllegalArgumentException("engine " + LLAMA_BATCHED + " needs at least one slot and one context token per slot,"
                    + " was " + o.slots() + " slots of " + o.nCtxPerSlot());
        }
        RequestEngineConfig base = RequestEngineConfig.llama(o.slots(), o.nCtxPerSlot(), o.nUbatch(), o.nThreads(), o.nGpuLayers());
        int fa = switch (o.flashAttn() == null ? "auto" : o.flashAttn().toLowerCase(Locale.ROOT)) {
            case "on" -> 1;
            case "off" -> 0;
            default -> -1;
        };
        int kv = o.cacheType() == null ? -1 : GgmlType.parse(o.cacheType()).id();
        return new RequestEngineConfig(base.nCtx(), base.nBatch(), base.nUbatch(), base.nSeqMax(), base.nThreads(),
                base.nThreadsBatch(), base.nGpuLayers(), fa, kv, kv, base.useMmap(), base.kvUnified(), base.maxQueued(),
                base.maxBeamWidth(), base.maxBatchSize(), base.maxNumTokens(), base.kvMaxTokens(), base.kvEnableBlockReuse(),
                base.schedulerPolicy(), base.iterStatsMaxIterations(), base.returnPerfMetrics(), base.kvFreeGpuMemFraction());
    }

    /**
     * A TensorRT-LLM engine directory holds the build's {@code config.json} and one {@code rank<N>.engine} per rank.
     *
     * @throws IllegalArgumentException naming the directory and what is missing
     */
    static Path checkEngineDir(String given) {
        if (given.isBlank()) {
            throw new IllegalArgumentException("engine trtllm: needs an engine directory, e.g. trtllm:/engines/llama3b");
        }
        Path dir = Path.of(given).toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            throw new IllegalArgumentException("TensorRT-LLM engine directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("TensorRT-LLM engine directory " + dir + " is not a directory (give the folder"
                    + " trtllm-build wrote, holding config.json and rank0.engine)");
        }
        boolean config = Files.isRegularFile(dir.resolve("config.json"));
        boolean engine;
        try (Stream<Path> s = Files.list(dir)) {
            engine = s.anyMatch(p -> p.getFileName().toString().endsWith(".engine"));
        } catch (IOException e) {
            throw new IllegalArgumentException("TensorRT-LLM engine directory " + dir + " cannot be read: " + e.getMessage());
        }
        if (!config || !engine) {
            throw new IllegalArgumentException(dir + " is not a TensorRT-LLM engine: it has " + (config ? "" : "no config.json")
                    + (!config && !engine ? " and " : "") + (engine ? "" : "no *.engine file") + " (build one with trtllm-build"
                    + " --checkpoint_dir ... --output_dir " + dir + ")");
        }
        return dir;
    }
}
