package dev.edgebench.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.TestSupport;
import dev.edgebench.engine.llama.LlamaBatch;
import dev.edgebench.engine.llama.LlamaContext;
import dev.edgebench.engine.llama.LlamaContextParams;
import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.engine.llama.LlamaQuantizer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forge with the real engine: the pinned tokenizer files and llama.cpp's quantizer. Every
 * model is forged into a temporary cache.
 */
@Tag("native")
class ModelForgeNativeTest {
    @TempDir
    Path tmp;

    private static ModelForge forge(Catalog c, Path cache, Quantizer q) {
        System.setProperty("edgebench.models", cache.toString());
        return new ModelForge(c, cache, TestSupport.vocabDir(), q, s -> {
        });
    }

    private static ModelForge forge(Path cache) {
        return forge(Catalog.builtin(), cache, new LlamaQuantizer());
    }

    @Test
    void forgingIsDeterministicForFloatAndQuantizedTypes() {
        for (String type : new String[] {"F16", "Q4_0", "Q4_K_M"}) {
            Path a = forge(tmp.resolve("a")).forge(TestSupport.TINY, type, ModelForge.DEFAULT_SEED);
            Path b = forge(tmp.resolve("b")).forge(TestSupport.TINY, type, ModelForge.DEFAULT_SEED);
            assertEquals(TestSupport.sha256(a), TestSupport.sha256(b), type + " forged twice");
        }
        Path other = forge(tmp.resolve("c")).forge(TestSupport.TINY, "F16", 1);
        assertNotEquals(TestSupport.sha256(tmp.resolve("a").resolve(TestSupport.TINY).resolve("edgebench-tiny-F16-seed2026-v1.gguf")),
                TestSupport.sha256(other), "another seed");
        for (String dir : new String[] {"a", "b"}) {
            assertEquals(List.of("edgebench-tiny/edgebench-tiny-F16-seed2026-v1.gguf",
                    "edgebench-tiny/edgebench-tiny-Q4_0-seed2026-v1.gguf", "edgebench-tiny/edgebench-tiny-Q4_K_M-seed2026-v1.gguf"),
                    TestSupport.filesUnder(tmp.resolve(dir)), "only the models: no base, partial or lock file");
        }
    }

    @Test
    void aCachedQuantizedModelIsNotForgedAgain() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        LlamaQuantizer llama = new LlamaQuantizer();
        Quantizer counting = (in, out, type, threads) -> {
            calls.incrementAndGet();
            llama.quantize(in, out, type, threads);
        };
        ModelForge f = forge(Catalog.builtin(), tmp, counting);
        long t0 = System.nanoTime();
        Path p = f.forge(TestSupport.TINY, "Q4_K_M", 3);
        long firstNs = System.nanoTime() - t0;
        BasicFileAttributes before = Files.readAttributes(p, BasicFileAttributes.class);
        t0 = System.nanoTime();
        assertEquals(p, f.forge(TestSupport.TINY, "Q4_K_M", 3));
        long againNs = System.nanoTime() - t0;
        BasicFileAttributes after = Files.readAttributes(p, BasicFileAttributes.class);
        assertEquals(1, calls.get());
        assertEquals(before.fileKey(), after.fileKey());
        assertEquals(before.lastModifiedTime(), after.lastModifiedTime());
        System.out.printf("forge Q4_K_M: %.1f ms, cached: %.1f ms%n", firstNs / 1e6, againNs / 1e6);
        // the cached call only reads the header (~20 ms here, against ~450 ms for writing and quantizing)
        assertTrue(againNs * 2 < firstNs, "cached " + againNs / 1_000_000 + " ms vs forged " + firstNs / 1_000_000 + " ms");
    }

    private static Map<String, String> types(Path model) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (GgufTensorInfo t : GgufFile.read(model).tensors()) {
            out.put(t.name(), t.type().name());
        }
        return out;
    }

    /**
     * edgebench-tiny's rows are 64 (and 256 for ffn_down): the K-quant rules of llama.cpp's
     * src/llama-quant.cpp apply, then its fallback for rows that are no multiple of 256
     * (Q4_K -> Q5_0, Q6_K -> Q8_0) and its Q8_0 output for such rows.
     */
    @Test
    void quantizedTensorTypesAreLlamaCppsForTheTinyModel() throws IOException {
        ModelForge f = forge(tmp);
        Map<String, String> q40 = types(f.forge(TestSupport.TINY, "Q4_0", ModelForge.DEFAULT_SEED));
        Map<String, String> q4km = types(f.forge(TestSupport.TINY, "Q4_K_M", ModelForge.DEFAULT_SEED));
        for (Map<String, String> t : List.of(q40, q4km)) {
            t.forEach((name, type) -> {
                if (name.endsWith("norm.weight")) {
                    assertEquals("F32", type, name + ": 1-D tensors are not quantized");
                }
            });
            assertEquals("Q8_0", t.get("output.weight"), "output: Q6_K, but 64 % 256 != 0 -> Q8_0");
        }
        assertEquals("Q4_0", q40.get("token_embd.weight"), "untied embeddings get the file's type");
        for (int i = 0; i < 2; i++) {
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
                assertEquals("Q4_0", q40.get("blk." + i + "." + m + ".weight"), m);
            }
        }
        assertEquals("Q5_0", q4km.get("token_embd.weight"), "Q4_K, 64 columns -> fallback Q5_0");
        for (int i = 0; i < 2; i++) {
            for (String m : new String[] {"attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"}) {
                assertEquals("Q5_0", q4km.get("blk." + i + "." + m + ".weight"), m + ": Q4_K -> fallback Q5_0");
            }
        }
        // use_more_bits(i, n=2) holds for i >= 7*n/8 = 1 only
        assertEquals("Q5_0", q4km.get("blk.0.attn_v.weight"), "Q4_K -> fallback Q5_0");
        assertEquals("Q8_0", q4km.get("blk.1.attn_v.weight"), "more bits: Q6_K -> fallback Q8_0");
        assertEquals("Q4_K", q4km.get("blk.0.ffn_down.weight"), "256 columns: no fallback");
        assertEquals("Q6_K", q4km.get("blk.1.ffn_down.weight"), "more bits, 256 columns");

        ModelFacts facts = ModelFacts.of(f.forge(TestSupport.TINY, "Q4_K_M", ModelForge.DEFAULT_SEED));
        assertEquals("Q4_K_M", facts.fileType(), "llama.cpp records the file type");
        assertTrue(facts.synthetic(), "the forge's metadata survives quantization");
        assertEquals(Catalog.builtin().parameterCount(Catalog.builtin().model(TestSupport.TINY)), facts.parameters());
    }

    /** A model whose rows are all multiples of 256, so llama.cpp's mixture shows without fallbacks. */
    private static Catalog wideCatalog() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = CatalogTest.builtinJson();
        ObjectNode m = CatalogTest.model("test-wide", "llama", 1);
        ((ObjectNode) m.get("hparams")).put("n_embd", 256).put("n_layer", 8).put("n_head", 4).put("n_head_kv", 4)
                .put("head_dim", 64).put("n_ff", 512).put("n_vocab", 1024).put("tied_embeddings", false);
        ((ArrayNode) root.get("models")).add(m);
        return Catalog.parse(json.readTree(json.writeValueAsString(root)));
    }

    @Test
    void q4KmMixtureFollowsLlamaCppsLayerRules() throws IOException {
        Map<String, String> t = types(forge(wideCatalog(), tmp, new LlamaQuantizer()).forge("test-wide", "Q4_K_M", 1));
        assertEquals("Q6_K", t.get("output.weight"));
        assertEquals("Q4_K", t.get("token_embd.weight"));
        for (int i = 0; i < 8; i++) {
            // use_more_bits(i, 8): i < 1 || i >= 7 || (i - 1) % 3 == 2
            String more = i == 0 || i == 3 || i == 6 || i == 7 ? "Q6_K" : "Q4_K";
            assertEquals(more, t.get("blk." + i + ".attn_v.weight"), "attn_v " + i);
            assertEquals(more, t.get("blk." + i + ".ffn_down.weight"), "ffn_down " + i);
            for (String m : new String[] {"attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"}) {
                assertEquals("Q4_K", t.get("blk." + i + "." + m + ".weight"), m + " " + i);
            }
            assertEquals("F32", t.get("blk." + i + ".attn_norm.weight"));
        }
    }

    /** Adding a model is a data change: one JSON entry, forged and run without touching code. */
    @Test
    void aNewCatalogEntryIsForgedAndRunsInTheEngine() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = CatalogTest.builtinJson();
        ObjectNode m = CatalogTest.model("test-qwen3-phi", "qwen3", 1);
        m.put("tokenizer", "phi-3");
        ((ObjectNode) m.get("hparams")).put("n_vocab", 32064);
        ((ArrayNode) root.get("models")).add(m);
        Catalog c = Catalog.parse(json.readTree(json.writeValueAsString(root)));
        Path p = forge(c, tmp, new LlamaQuantizer()).forge("test-qwen3-phi", "Q4_0", 5);

        try (LlamaModel model = LlamaModel.load(p, LlamaModel.Params.cpu());
             LlamaContext ctx = model.newContext(LlamaContextParams.of(64, 1, 2));
             LlamaBatch batch = new LlamaBatch(8, 1)) {
            assertEquals(c.parameterCount(c.model("test-qwen3-phi")), model.nParams());
            assertEquals(3, model.nLayer());
            assertTrue(model.description().startsWith("qwen3 "), model.description());
            int[] prompt = model.tokenize("Once upon a time", true);
            for (int i = 0; i < prompt.length; i++) {
                batch.add(prompt[i], i, 0, i == prompt.length - 1);
            }
            ctx.decode(batch);
            for (int pos = prompt.length; pos < prompt.length + 3; pos++) {
                int next = ctx.sampleGreedy(-1);
                assertTrue(next >= 0 && next < 32064, "token " + next);
                batch.clear();
                batch.add(next, pos, 0, true);
                ctx.decode(batch);
            }
            assertEquals(prompt.length + 2, ctx.maxPosition(0));
        }
    }

    @Test
    void aTypeTheEngineRefusesIsAForgeErrorAndLeavesNothing() {
        ModelForge.ForgeException e = assertThrows(ModelForge.ForgeException.class,
                () -> forge(tmp).forge(TestSupport.TINY, "IQ2_XXS", 1));
        assertTrue(e.getMessage().contains("edgebench-tiny IQ2_XXS"), e.getMessage());
        assertTrue(e.getMessage().contains("importance matrix"), e.getMessage());
        assertEquals(List.of(), TestSupport.filesUnder(tmp));
    }
}
