package dev.edgebench.kernel;

import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.LlamaFileType;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Small forged models for native tests: edgebench-tiny, and toy models of every layout the inventory knows. */
final class EngineFixtures {
    private EngineFixtures() {
    }

    static ModelForge forge(Path dir) {
        return new ModelForge(Catalog.builtin(), dir, Models.vocabDir(), new LlamaQuantizer(), s -> { });
    }

    /** edgebench-tiny (llama layout) as Q4_0, forged into {@code dir}. */
    static Path tiny(Path dir) {
        return forge(dir).forge("edgebench-tiny", "Q4_0", 1);
    }

    /**
     * A toy model of a layout, F16, forged into {@code dir}: two layers, 64-96 wide, with the
     * layout's own features (Qwen2 biases, Qwen3 Q/K norms, Phi-3 fused QKV and up, Gemma 2
     * post-norms, soft-caps and a sliding window shorter than the test depths).
     */
    static Path toy(Path dir, String arch) {
        Map<String, Object> hp = new HashMap<>(Map.of("n_embd", 64.0, "n_layer", 2.0, "n_head", 4.0, "n_head_kv", 2.0, "head_dim",
                32.0, "n_ff", 128.0, "n_vocab", 32064.0, "n_ctx_train", 4096.0, "rope_theta", 10000.0, "rms_eps", 1e-6));
        hp.put("tied_embeddings", !arch.equals("phi3"));
        switch (arch) {
            case "qwen2" -> {
                // llama.cpp's qwen2 takes the head size as n_embd / n_head
                hp.put("attn_bias", true);
                hp.put("head_dim", 16.0);
            }
            case "phi3" -> {
                hp.put("n_embd", 96.0);
                hp.put("n_head_kv", 4.0);
                hp.put("head_dim", 24.0);
            }
            case "gemma2" -> {
                hp.put("n_vocab", 1024.0);
                hp.put("attn_softcap", 50.0);
                hp.put("final_softcap", 30.0);
                hp.put("sliding_window", 64.0);
            }
            default -> {
            }
        }
        Catalog.ModelSpec spec = new Catalog.ModelSpec("toy-" + arch, arch, "edgebench test toy", 0, "edgebench test toy",
                arch.equals("gemma2") ? null : "phi-3", hp);
        return forge(dir).forge(spec, LlamaFileType.F16, 1);
    }
}
