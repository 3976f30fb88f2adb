package dev.edgebench.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.engine.EngineInfo;
import dev.edgebench.engine.SessionConfig;
import dev.edgebench.engine.StepEngine;
import dev.edgebench.engine.StepSession;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * llama.cpp as a {@link StepEngine}. Keeps each loaded model (by path and GPU layers) until
 * {@link #close()}, so that sessions opened one after another reuse it.
 *
 * <p>Not thread-safe.
 */
public final class LlamaStepEngine implements StepEngine, AutoCloseable {
    private final Map<String, LlamaModel> models = new LinkedHashMap<>();

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public EngineInfo describe() {
        LlamaRuntime rt = LlamaRuntime.get();
        NativeLibraries.Loaded libs = rt.libraries();
        return new EngineInfo(name(), libs.libDir().toString(), libs.profile(), readManifest(libs.manifest()), rt.systemInfo().strip(),
                rt.supportsGpuOffload(), rt.devices().stream().map(d -> new EngineInfo.Device(d.name(), d.description(), d.type(),
                d.memoryTotalBytes(), d.memoryFreeBytes())).toList(), NativeLog.route());
    }

    /** @return the build manifest, or a note saying why there is none */
    static JsonNode readManifest(Path manifest) {
        ObjectMapper json = new ObjectMapper();
        if (manifest == null) {
            return json.createObjectNode().put("note", "no manifest.json beside the libraries (not built by native/build.sh)");
        }
        try {
            return json.readTree(manifest.toFile());
        } catch (IOException e) {
            return json.createObjectNode().put("note", "manifest.json unreadable: " + e.getMessage());
        }
    }

    @Override
    public StepSession open(SessionConfig c, boolean sample) {
        String key = c.model().toAbsolutePath() + "|" + c.nGpuLayers();
        LlamaModel model = models.get(key);
        if (model == null || model.isClosed()) {
            model = LlamaModel.load(c.model(), new LlamaModel.Params(c.nGpuLayers(), 0, true, false));
            models.put(key, model);
        }
        LlamaContext.FlashAttn fa = switch (c.flashAttn()) {
            case "on" -> LlamaContext.FlashAttn.ON;
            case "off" -> LlamaContext.FlashAttn.OFF;
            default -> LlamaContext.FlashAttn.AUTO;
        };
        LlamaContextParams p = new LlamaContextParams(c.nCtx(), c.nBatch(), c.nUbatch(), c.nSeq(), c.nThreads(), c.nThreads(),
                fa, c.typeK(), c.typeV(), true, false, 50, null);
        LlamaContext ctx = model.newContext(p);
        return new LlamaStepSession(ctx, c.nSeq(), c.seed(), sample);
    }

    /** Frees every model (and any context still open). */
    @Override
    public void close() {
        models.values().forEach(LlamaModel::close);
        models.clear();
    }
}
