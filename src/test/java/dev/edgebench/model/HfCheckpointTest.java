package dev.edgebench.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forge's Hugging-Face checkpoint: the GGUF's weights under transformers names and shapes, byte for
 * byte, with a llama model's q/k rows permuted back so that llama.cpp's converter (its permutation
 * written out here) gives the GGUF's rows again; config.json from the catalog; tokenizer.json from a BPE
 * vocabulary; what it cannot write, refused by name.
 */
class HfCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** llama.cpp's convert_hf_to_gguf.py LlamaModel.permute: reshape(n_head, 2, d/2, in).swapaxes(1, 2). */
    private static byte[] llamaCppPermute(byte[] hfRows, int nRows, int rowBytes, int nHeads) {
        int d = nRows / nHeads;
        byte[] out = new byte[hfRows.length];
        for (int h = 0; h < nHeads; h++) {
            for (int t = 0; t < 2; t++) {
                for (int j = 0; j < d / 2; j++) {
                    int from = h * d + t * (d / 2) + j;   // (h, t, j) in the transformers order
                    int to = h * d + j * 2 + t;           // (h, j, t) after swapaxes(1, 2)
                    System.arraycopy(hfRows, from * rowBytes, out, to * rowBytes, rowBytes);
                }
            }
        }
        return out;
    }

    /** The safetensors file: its JSON header and where its data begins. */
    private record Safetensors(JsonNode header, long dataStart) {
        static Safetensors read(Path f) throws IOException {
            try (FileChannel c = FileChannel.open(f)) {
                ByteBuffer n = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                c.read(n, 0);
                long len = n.getLong(0);
                assertEquals(0, len % 8, "header padded to 8 bytes");
                ByteBuffer h = ByteBuffer.allocate((int) len);
                c.read(h, 8);
                return new Safetensors(JSON.readTree(new String(h.array(), java.nio.charset.StandardCharsets.UTF_8).strip()), 8 + len);
            }
        }

        byte[] bytes(Path f, String name) throws IOException {
            JsonNode off = header.get(name).get("data_offsets");
            ByteBuffer b = ByteBuffer.allocate((int) (off.get(1).asLong() - off.get(0).asLong()));
            try (FileChannel c = FileChannel.open(f)) {
                while (b.hasRemaining()) {
                    c.read(b, dataStart + off.get(0).asLong() + b.position());
                }
            }
            return b.array();
        }
    }

    private static byte[] ggufBytes(GgufFile g, Path f, GgufTensorInfo t) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) t.nBytes());
        try (FileChannel c = FileChannel.open(f)) {
            while (b.hasRemaining()) {
                c.read(b, g.dataOffset() + t.offset() + b.position());
            }
        }
        return b.array();
    }

    @Test
    void theTinyModelsWeightsAreTheGgufsUnderTransformersNames() throws IOException {
        Path gguf = TestSupport.forge(tmp.resolve("models"), TestSupport.TINY, "F16", ModelForge.DEFAULT_SEED);
        Catalog.ModelSpec spec = Catalog.builtin().model(TestSupport.TINY);
        HfCheckpoint.Result r = HfCheckpoint.export(spec, gguf, tmp.resolve("hf"));
        GgufFile g = GgufFile.read(gguf);
        Path st = tmp.resolve("hf").resolve("model.safetensors");
        Safetensors s = Safetensors.read(st);
        assertEquals(Files.size(st), r.bytes());
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = s.header().fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        names.remove("__metadata__");
        assertEquals(g.tensors().size(), names.size(), "every GGUF tensor, rope_freqs aside (the tiny model has none)");
        assertEquals(r.tensors(), names.size());
        assertTrue(names.containsAll(Set.of("model.embed_tokens.weight", "lm_head.weight", "model.norm.weight",
                "model.layers.1.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.0.post_attention_layernorm.weight")), names::toString);
        int n = 0;
        for (GgufTensorInfo t : g.tensors()) {
            String name = HfCheckpoint.hfName(t.name());
            JsonNode e = s.header().get(name);
            assertEquals(t.type() == GgmlType.F32 ? "F32" : "F16", e.get("dtype").asText(), name + " keeps its GGUF type");
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asLong();
            }
            long[] reversed = t.ne().clone();
            for (int i = 0; i < reversed.length / 2; i++) {
                long x = reversed[i];
                reversed[i] = reversed[reversed.length - 1 - i];
                reversed[reversed.length - 1 - i] = x;
            }
            assertArrayEquals(reversed, shape, name);
            byte[] hf = s.bytes(st, name);
            byte[] orig = ggufBytes(g, gguf, t);
            boolean q = t.name().endsWith("attn_q.weight");
            boolean k = t.name().endsWith("attn_k.weight");
            if (q || k) {
                int rowBytes = (int) t.type().rowBytes(t.ne()[0]);
                assertFalse(Arrays.equals(orig, hf), name + " is permuted back");
                assertArrayEquals(orig, llamaCppPermute(hf, (int) t.ne()[1], rowBytes, q ? 4 : 2), name + ": llama.cpp's converter"
                        + " permutation of the exported rows gives the GGUF's rows");
                n++;
            } else {
                assertArrayEquals(orig, hf, name);
            }
        }
        assertEquals(4, n, "q and k of both layers");

        JsonNode c = JSON.readTree(tmp.resolve("hf").resolve("config.json").toFile());
        assertEquals("LlamaForCausalLM", c.get("architectures").get(0).asText());
        assertEquals(64, c.get("hidden_size").asInt());
        assertEquals(2, c.get("num_hidden_layers").asInt());
        assertEquals(4, c.get("num_attention_heads").asInt());
        assertEquals(2, c.get("num_key_value_heads").asInt());
        assertEquals(32064, c.get("vocab_size").asInt());
        assertFalse(c.get("tie_word_embeddings").asBoolean());
        assertEquals("float16", c.get("torch_dtype").asText());
        assertTrue(c.get("rope_scaling").isNull());
        // the tiny model's Phi-3 vocabulary is a SentencePiece one: no tokenizer.json, and the result says why
        assertFalse(Files.exists(tmp.resolve("hf").resolve("tokenizer.json")));
        assertTrue(r.tokenizer().startsWith("none (the GGUF's vocabulary is llama"), r.tokenizer());
    }

    @Test
    void aBpeVocabularyBecomesTokenizerJson() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "qwen3"));
        w.put(GgufKv.ofString("tokenizer.ggml.model", "gpt2"));
        w.put(GgufKv.ofString("tokenizer.ggml.pre", "qwen2"));
        w.put(new GgufKv("tokenizer.ggml.tokens", GgufValueType.ARRAY, GgufValueType.STRING,
                new String[] {"a", "b", "ab", "Ġa", "<|endoftext|>", "[PAD5]", "[PAD6]"}));
        w.put(new GgufKv("tokenizer.ggml.token_type", GgufValueType.ARRAY, GgufValueType.INT32, new int[] {1, 1, 1, 1, 3, 5, 4}));
        w.put(new GgufKv("tokenizer.ggml.merges", GgufValueType.ARRAY, GgufValueType.STRING, new String[] {"a b", "Ġ a"}));
        w.put(GgufKv.ofU32("tokenizer.ggml.eos_token_id", 4));
        w.put(GgufKv.ofU32("tokenizer.ggml.bos_token_id", 4));
        w.addTensor("token_embd.weight", new long[] {8, 7}, GgmlType.F32, (info, out) -> out.write(ByteBuffer.allocate(8 * 7 * 4)));
        Path gguf = tmp.resolve("mini.gguf");
        w.write(gguf);
        Catalog.ModelSpec spec = new Catalog.ModelSpec("mini", "qwen3", "test", 48, "test", "qwen2", Map.of("n_embd", 8, "n_layer", 1,
                "n_head", 2, "n_head_kv", 1, "head_dim", 4, "n_ff", 16, "n_vocab", 7, "n_ctx_train", 64, "rope_theta", 1000000,
                "rms_eps", 1e-6));
        HfCheckpoint.Result r = HfCheckpoint.export(spec, gguf, tmp.resolve("hf"));
        assertEquals("BPE, pre-tokenizer qwen2: 5 tokens (1 added), 2 merges", r.tokenizer());
        JsonNode t = JSON.readTree(tmp.resolve("hf").resolve("tokenizer.json").toFile());
        assertEquals("BPE", t.get("model").get("type").asText());
        assertEquals(2, t.get("model").get("vocab").get("ab").asInt());
        assertFalse(t.get("model").get("vocab").has("[PAD5]") || t.get("model").get("vocab").has("[PAD6]"),
                "padding past the tokenizer (unused, or user-defined [PAD<id>] as llama.cpp's converter names it) is not a token");
        assertEquals(1, t.get("added_tokens").size());
        assertEquals("a b", t.get("model").get("merges").get(0).asText());
        assertEquals("<|endoftext|>", t.get("added_tokens").get(0).get("content").asText());
        assertTrue(t.get("added_tokens").get(0).get("special").asBoolean());
        assertTrue(t.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern").get("Regex").asText().contains("\\p{N}|"),
                "qwen2 splits single digits");
        JsonNode tc = JSON.readTree(tmp.resolve("hf").resolve("tokenizer_config.json").toFile());
        assertEquals("<|endoftext|>", tc.get("eos_token").asText());
        JsonNode c = JSON.readTree(tmp.resolve("hf").resolve("config.json").toFile());
        assertEquals("Qwen3ForCausalLM", c.get("architectures").get(0).asText());
        assertEquals("float32", c.get("torch_dtype").asText());
        assertEquals(4, c.get("eos_token_id").asInt());
    }

    @Test
    void whatItCannotWriteIsRefusedByName() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "qwen3"));
        w.addTensor("token_embd.weight", new long[] {32, 2}, GgmlType.Q8_0,
                (info, out) -> out.write(ByteBuffer.allocate((int) info.nBytes())));
        Path gguf = tmp.resolve("q8.gguf");
        w.write(gguf);
        Catalog.ModelSpec qwen = new Catalog.ModelSpec("mini", "qwen3", "test", 0, "test", "qwen2", Map.of("n_head", 1, "n_head_kv", 1));
        IllegalArgumentException quantized = assertThrows(IllegalArgumentException.class,
                () -> HfCheckpoint.export(qwen, gguf, tmp.resolve("hf")));
        assertTrue(quantized.getMessage().contains("token_embd.weight is Q8_0") && quantized.getMessage().contains("export mini:F16"),
                quantized.getMessage());
        Catalog.ModelSpec phi = new Catalog.ModelSpec("phi", "phi3", "test", 0, "test", "phi-3", Map.of());
        IllegalArgumentException arch = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.export(phi, gguf, tmp));
        assertTrue(arch.getMessage().contains("not phi3"), arch.getMessage());
        Catalog.ModelSpec llama = new Catalog.ModelSpec("l", "llama", "test", 0, "test", "x", Map.of());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.export(llama, gguf, tmp));
        assertTrue(other.getMessage().contains("is a qwen3 model, not l (llama)"), other.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.hfName("blk.0.ffn_gate_exps.weight"));
    }
}
