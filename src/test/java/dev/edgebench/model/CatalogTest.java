package dev.edgebench.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in catalog: published sizes, recipes that expand for every model, and its errors. */
class CatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @return the built-in catalog.json as an editable tree */
    static ObjectNode builtinJson() throws IOException {
        try (InputStream in = Catalog.class.getResourceAsStream("catalog.json")) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    /** A vocabulary stand-in, so that expanding every model needs no pinned source. */
    static VocabSource syntheticVocab() {
        return new VocabSource("test", List.of(GgufKv.ofString("tokenizer.ggml.model", "none")));
    }

    @Test
    void everyModelHasItsPublishedParameterCountWithinOnePercent() {
        Catalog c = Catalog.builtin();
        assertTrue(c.models().size() >= 10, "the catalog lists its models");
        StringBuilder off = new StringBuilder();
        for (Catalog.ModelSpec m : c.models()) {
            assertTrue(m.publishedParams() > 0, m.name() + " has published_params");
            assertFalse(m.publishedParamsSource().isBlank(), m.name() + " says where the count comes from");
            assertFalse(m.config().isBlank(), m.name() + " says where the hyper-parameters come from");
            long n = c.parameterCount(m);
            double rel = Math.abs(n - m.publishedParams()) / (double) m.publishedParams();
            if (rel > 0.01) {
                off.append(String.format("%n  %s: %,d vs published %,d (%.2f%%)", m.name(), n, m.publishedParams(), 100 * rel));
            }
        }
        assertEquals("", off.toString(), "parameter counts off by more than 1%");
    }

    @Test
    void everyModelsArchitectureRecipeExpandsFully() {
        Catalog c = Catalog.builtin();
        Set<String> usedArchs = new HashSet<>();
        for (Catalog.ModelSpec m : c.models()) {
            usedArchs.add(m.arch());
            List<Catalog.PlannedTensor> plan = c.plan(m);
            Set<String> names = new LinkedHashSet<>();
            for (Catalog.PlannedTensor t : plan) {
                assertTrue(names.add(t.name()), m.name() + ": tensor " + t.name() + " twice");
                assertTrue(t.ne().length >= 1 && t.ne().length <= 4, m.name() + ": " + t.name());
                for (long d : t.ne()) {
                    assertTrue(d > 0, m.name() + ": " + t.name());
                }
                assertFalse(t.name().contains("{"), m.name() + ": unexpanded name " + t.name());
            }
            int nLayer = (int) m.hparam("n_layer");
            assertTrue(names.contains("token_embd.weight") && names.contains("output_norm.weight"), m.name());
            assertTrue(names.contains("blk." + (nLayer - 1) + ".attn_norm.weight"), m.name() + ": every layer");
            assertFalse(names.contains("blk." + nLayer + ".attn_norm.weight"), m.name() + ": no extra layer");
            assertEquals(!m.flag("tied_embeddings"), names.contains("output.weight"), m.name() + ": output.weight iff untied");

            // the metadata recipe too, through the forge's layout (no data is generated)
            ModelForge forge = new ModelForge(c, java.nio.file.Path.of("unused"), null, null, s -> {
            });
            GgufWriter w = forge.layout(m, plan, syntheticVocab(), GgmlType.F16, LlamaFileType.F16, 1);
            assertEquals(names, new LinkedHashSet<>(w.tensors().stream().map(GgufTensorInfo::name).toList()));
            for (GgufTensorInfo t : w.tensors()) {
                assertEquals(t.ne().length == 1 ? GgmlType.F32 : GgmlType.F16, t.type(), t.name());
            }
            assertTrue(w.fileBytes() >= 2 * c.parameterCount(m), m.name() + ": F16 matrices, F32 vectors");
        }
        Set<String> described = new HashSet<>();
        for (String arch : List.of("llama", "qwen2", "qwen3", "phi3", "gemma2")) {
            assertNotNull(c.architecture(arch));
            described.add(arch);
        }
        assertEquals(described, usedArchs, "every described architecture has a model, every model a described architecture");
    }

    @Test
    void lookupsAreCaseInsensitiveAndUnknownNamesListTheKnownOnes() {
        Catalog c = Catalog.builtin();
        assertEquals("Llama-3.2-1B", c.model("llama-3.2-1b").name());
        assertTrue(c.has("QWEN3-0.6B"));
        assertFalse(c.has(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.model("Llama-9-1T"));
        assertTrue(e.getMessage().contains("unknown model 'Llama-9-1T'") && e.getMessage().contains("edgebench-tiny"), e.getMessage());
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> c.architecture("mamba"));
        assertTrue(a.getMessage().contains("unknown architecture 'mamba'") && a.getMessage().contains("qwen3"), a.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.model(null));
    }

    static ObjectNode model(String name, String arch, long published) {
        ObjectNode m = JSON.createObjectNode();
        m.put("name", name).put("arch", arch).put("config", "test").put("published_params", published)
                .put("published_params_source", "test");
        m.putObject("hparams").put("n_embd", 128).put("n_layer", 3).put("n_head", 4).put("n_head_kv", 2).put("head_dim", 32)
                .put("n_ff", 384).put("n_vocab", 1000).put("n_ctx_train", 4096).put("rope_theta", 10000).put("rms_eps", 1e-6)
                .put("tied_embeddings", true);
        return m;
    }

    @Test
    void aNewModelOfAKnownArchitectureIsOneCatalogEntry() throws IOException {
        ObjectNode root = builtinJson();
        ((ArrayNode) root.get("models")).add(model("test-qwen3-mini", "qwen3", 718_912));
        Catalog c = Catalog.parse(JSON.readTree(JSON.writeValueAsString(root)));
        Catalog.ModelSpec m = c.model("test-qwen3-mini");
        assertEquals("qwen3", m.arch());
        assertEquals(Catalog.builtin().models().size() + 1, c.models().size());
        // qwen3 at these sizes: embeddings 128 000, per layer 2*128 + 128*128 + 2*32 + 2*128*64 + 128*128 + 3*128*384
        // = 196 928, the output norm 128; tied, so no output matrix
        assertEquals(128_000 + 3 * 196_928L + 128, c.parameterCount(m));
        assertEquals(m.publishedParams(), c.parameterCount(m));
    }

    @Test
    void malformedEntriesFailWithTheirName() throws IOException {
        ObjectNode root = builtinJson();
        ((ArrayNode) root.get("models")).add(model("test-mamba", "mamba", 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Catalog.parse(root));
        assertEquals("catalog model test-mamba uses architecture mamba, which the catalog does not describe", e.getMessage());

        ObjectNode root2 = builtinJson();
        ObjectNode noFf = model("test-no-ff", "llama", 1);
        ((ObjectNode) noFf.get("hparams")).remove("n_ff");
        ((ArrayNode) root2.get("models")).add(noFf);
        Catalog c = Catalog.parse(root2);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.plan(c.model("test-no-ff")));
        assertTrue(missing.getMessage().contains("'n_ff', which the model does not define"), missing.getMessage());
        assertEquals("test-no-ff: hyper-parameter n_ff is not set",
                assertThrows(IllegalArgumentException.class, () -> c.model("test-no-ff").hparam("n_ff")).getMessage());
    }
}
