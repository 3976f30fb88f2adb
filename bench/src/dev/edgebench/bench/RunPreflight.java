package dev.edgebench.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.EngineFacts;
import dev.edgebench.engine.StreamingEngineProvider;
import dev.edgebench.engine.llama.LlamaStepEngine;
import dev.edgebench.kernel.DeviceCeilings;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.Models;
import dev.edgebench.telemetry.Environment;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.RunOptions;
import dev.edgebench.run.RunPlan;
import dev.edgebench.run.Workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run does before its first fork, in the host JVM: forges and hashes the models, describes
 * the environment and the engine, refuses a plan whose models and KV caches cannot fit the GPU or
 * the machine's available memory, and measures the device ceilings for the roofline. Each step
 * that finds bad input throws {@link IllegalArgumentException} with the figures.
 */
public final class RunPreflight {
    /** Compute buffers and runtime overhead on the GPU beyond weights and KV cache, bytes (a conservative allowance). */
    static final long GPU_OVERHEAD_BYTES = 768L << 20;
    /** The same allowance in host memory: compute buffers, the JVM, the engine's own allocations. */
    static final long HOST_OVERHEAD_BYTES = 1L << 30;
    private static final double GIB = 1L << 30;

    private RunPreflight() {
    }

    /** Resolves (forging when missing) and describes every model: ref, path, sha256, facts. */
    public static List<RunDocument.ModelInfo> models(RunPlan plan) throws IOException {
        List<RunDocument.ModelInfo> out = new ArrayList<>();
        for (Models.Ref r : plan.models()) {
            Path file = LlamaQuantizer.resolve(r);
            ModelFacts f = ModelFacts.of(file);
            System.err.println("run: hashing " + file.getFileName());
            ObjectNode facts = (ObjectNode) RunDocuments.tree(f.toMap());
            facts.put("kvBytesPerToken", f.kvBytesPerToken(GgmlType.parse(plan.options().cacheType())));
            out.add(new RunDocument.ModelInfo(r.toString(), file.toString(), dev.edgebench.model.ModelDigests.defaultStore().sha256(file), facts));
        }
        String draft = plan.options().workloads().contains(Workload.SPECULATIVE) ? plan.options().speculative().draft() : null;
        if (draft != null) {
            Path file = LlamaQuantizer.resolve(Models.parse(draft, Catalog.builtin()));
            ModelFacts f = ModelFacts.of(file);
            System.err.println("run: hashing the draft " + file.getFileName());
            ObjectNode facts = (ObjectNode) RunDocuments.tree(f.toMap());
            facts.put("kvBytesPerToken", f.kvBytesPerToken(GgmlType.parse(plan.options().cacheType())));
            out.add(new RunDocument.ModelInfo(draft, file.toString(), dev.edgebench.model.ModelDigests.defaultStore().sha256(file), facts,
                    RunDocument.ModelInfo.DRAFT));
        }
        return out;
    }

    /**
     * What the run should say before it starts, from its models: a speculative draft with more
     * parameters than a target it drafts for (each draft token then costs more than a target step).
     */
    public static List<String> warnings(List<RunDocument.ModelInfo> models) {
        List<String> out = new ArrayList<>();
        for (RunDocument.ModelInfo d : models) {
            if (!RunDocument.ModelInfo.DRAFT.equals(d.role())) {
                continue;
            }
            long dp = d.facts().path("parameters").asLong();
            for (RunDocument.ModelInfo t : models) {
                long tp = t.facts().path("parameters").asLong();
                if (t.role() == null && dp > tp && tp > 0) {
                    out.add(String.format(Locale.ROOT, "speculative: the draft %s (%d M parameters) is larger than the target %s (%d M):"
                            + " each draft token costs more than a target step", d.ref(), dp / 1_000_000, t.ref(), tp / 1_000_000));
                }
            }
        }
        return out;
    }

    /** @return the document written when the run starts: everything but results */
    public static RunDocument header(RunPlan plan, RunFolder folder, String command, List<RunDocument.ModelInfo> models,
                                     JsonNode engine) {
        RunOptions o = plan.options();
        RunDocument.PresetInfo preset = new RunDocument.PresetInfo(o.preset().name(), o.preset().description(), o.warmups(),
                o.samples(), o.forks(), RunDocuments.tree(o));
        List<String> warnings = warnings(models);
        warnings.forEach(w -> System.err.println("run: warning: " + w));
        return new RunDocument(RunDocument.SCHEMA, folder.runId(), Instant.now().toString(), null, "running", command, preset,
                RunDocuments.tree(Environment.capture()), engine, models, plan.benchmarks(), null, null,
                warnings.isEmpty() ? null : warnings, null, null);
    }

    /** @return the engine's description, loading the engine in this JVM */
    public static JsonNode engine() {
        try (LlamaStepEngine e = new LlamaStepEngine()) {
            return RunDocuments.tree(e.describe());
        }
    }

    /**
     * The engine entry of a run of a streaming engine ({@code --engine}): its facts from the
     * provider's preflight (library and backend version, engine directory, a server that answers,
     * {@code streamingEngine}), and, when it loads the run's model with this machine's llama.cpp
     * build (llama-batched, llama-server), that build's description as for the step engine, whose
     * devices the fit check reads. Nothing here loads a model.
     *
     * @throws IllegalArgumentException naming the engine and what is missing or unreachable
     */
    public static JsonNode engine(String streamingEngine) {
        EngineFacts f = StreamingEngineProvider.forSpec(streamingEngine).preflight(streamingEngine);
        ObjectNode e;
        if (f.loadsRunModel()) {
            e = ((ObjectNode) engine()).deepCopy();
        } else {
            e = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            e.put("name", streamingEngine);
        }
        e.set("streamingEngine", RunDocuments.tree(f));
        return e;
    }

    /** @return the run's engine entry: the step engine's build, or the streaming engine it names */
    public static JsonNode engine(RunPlan plan) {
        return plan.options().requests().stepEngine() ? engine() : engine(plan.options().requests().engine());
    }

    /** @return whether the run's engine loads the run's models on this machine (the fit check applies) */
    public static boolean loadsModelsHere(JsonNode engine) {
        JsonNode f = engine.get("streamingEngine");
        return f == null || f.path("loadsRunModel").asBoolean(true);
    }

    /**
     * Refuses, before any long work, a plan that cannot fit: on a GPU build with layers on the GPU,
     * weights + the KV cache of the largest workload + an allowance for compute buffers against
     * the GPUs' free memory; otherwise the same against the host's available memory.
     *
     * @param memAvailableBytes the host's available memory ({@code MemAvailable}), or 0 when unknown
     * @throws IllegalArgumentException with the figures and what to change
     */
    public static void checkFit(RunPlan plan, List<RunDocument.ModelInfo> models, JsonNode engine, long memAvailableBytes) {
        if (!loadsModelsHere(engine)) {
            return;     // a server elsewhere or a compiled TensorRT-LLM engine: the run's model only gives the prompts' vocabulary
        }
        long maxTokens = plan.maxContextTokens();
        boolean gpu = gpuOffload(plan, engine);
        long free = 0;
        long total = 0;
        if (gpu) {
            for (JsonNode d : engine.path("devices")) {
                if ("gpu".equals(d.path("type").asText()) || "igpu".equals(d.path("type").asText())) {
                    free += d.path("memoryFreeBytes").asLong();
                    total += d.path("memoryTotalBytes").asLong();
                }
            }
        }
        for (RunDocument.ModelInfo m : models) {
            long weights = m.facts().path("tensorBytes").asLong();
            long kv = m.facts().path("kvBytesPerToken").asLong() * maxTokens;
            if (gpu && total > 0) {
                long need = weights + kv + GPU_OVERHEAD_BYTES;
                if (need > free) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "%s does not fit the GPU: it needs about %.1f GiB"
                                    + " (weights %.1f GiB + KV cache %.1f GiB for %d tokens + %.1f GiB compute buffers) but the GPU"
                                    + " has %.1f GiB free of %.1f GiB. Use a smaller type, fewer GPU layers (--ngl), or a smaller"
                                    + " batch or context.", m.ref(), need / GIB, weights / GIB, kv / GIB, maxTokens,
                            GPU_OVERHEAD_BYTES / GIB, free / GIB, total / GIB));
                }
            } else if (memAvailableBytes > 0) {
                long need = weights + kv + HOST_OVERHEAD_BYTES;
                if (need > memAvailableBytes) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "%s does not fit this machine's memory: it needs"
                                    + " about %.1f GiB (weights %.1f GiB + KV cache %.1f GiB for %d tokens + %.1f GiB for compute"
                                    + " buffers and the JVM) but %.1f GiB is available (MemAvailable). Use a smaller type, --cache-type"
                                    + " q8_0, or a smaller batch, depth or generation length.", m.ref(), need / GIB, weights / GIB,
                            kv / GIB, maxTokens, HOST_OVERHEAD_BYTES / GIB, memAvailableBytes / GIB));
                }
            }
        }
    }

    /** @return the host's available memory in bytes ({@code MemAvailable} of /proc/meminfo), 0 when unknown */
    public static long memAvailableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.split("\\s+")[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static boolean gpuOffload(RunPlan plan, JsonNode engine) {
        return engine != null && engine.path("gpuOffload").asBoolean(false) && !plan.options().nGpuLayers().equals("0");
    }

    /**
     * Measures the device's bandwidth and matrix rate once (roofline columns): on a GPU build the
     * first GPU, else the CPU when {@code --roofline} asks for it.
     *
     * @return the ceilings, or null when not asked for
     */
    public static JsonNode ceilings(RunPlan plan, JsonNode engine) {
        Boolean roofline = plan.options().roofline();
        boolean gpu = gpuOffload(plan, engine);
        if (Boolean.FALSE.equals(roofline) || (!gpu && !Boolean.TRUE.equals(roofline))) {
            return null;
        }
        String device = "CPU";
        if (gpu) {
            for (JsonNode d : engine.path("devices")) {
                if ("gpu".equals(d.path("type").asText()) || "igpu".equals(d.path("type").asText())) {
                    device = d.path("name").asText();
                    break;
                }
            }
        }
        System.err.println("run: measuring " + device + " bandwidth and matrix rate for the roofline section");
        int threads = plan.options().threads() > 0 ? plan.options().threads() : Runtime.getRuntime().availableProcessors();
        return RunDocuments.tree(DeviceCeilings.measure(device, threads));
    }
}
