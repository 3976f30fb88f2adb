package dev.edgebench.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A forged catalog model as a Hugging-Face checkpoint: {@code config.json}, {@code model.safetensors}
 * (the GGUF's own unquantized weights under the transformers names, in the transformers layout) and,
 * where the GGUF carries a BPE vocabulary, {@code tokenizer.json} and {@code tokenizer_config.json}
 * built from it. This is what TensorRT-LLM's checkpoint converters and the serving engines (vLLM,
 * trtllm-serve) load, so that they run the same synthetic model as llama.cpp does from the GGUF.
 *
 * <p>The weights are the GGUF's bytes: every 2-D weight of GGUF shape {@code [ne0, ne1]} is a row-major
 * {@code [ne1][ne0]} matrix, which is the transformers {@code [out_features, in_features]} layout. One
 * exception: llama.cpp's converter permutes the rows of a llama model's {@code q_proj} and {@code k_proj}
 * per head (rotary pairs interleaved instead of split in halves, {@code LlamaModel.permute} in
 * {@code convert_hf_to_gguf.py}); they are permuted back here ({@link #unpermuteRows}). Qwen2/Qwen3 use
 * NeoX rotary and need none. Architectures: llama, qwen2, qwen3; types F16, BF16, F32 (a quantized GGUF is
 * refused: export the F16 forge).
 */
public final class HfCheckpoint {
    private static final Set<String> ARCHITECTURES = Set.of("llama", "qwen2", "qwen3");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Pre-tokenizer regexes of llama.cpp's BPE pre-types, as the models' own tokenizer.json files write them. */
    private static final Map<String, String> PRE_REGEX = Map.of(
            "llama-bpe", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            "qwen2", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private HfCheckpoint() {
    }

    /**
     * @param dir       the checkpoint folder
     * @param tensors   tensors written
     * @param bytes     bytes of model.safetensors
     * @param tokenizer what tokenizer.json holds, or why there is none
     */
    public record Result(Path dir, int tensors, long bytes, String tokenizer) {
    }

    /**
     * Writes the checkpoint of {@code spec}'s forged GGUF {@code gguf} into {@code dir} (created; files
     * replaced whole, each written beside and moved in place).
     *
     * @throws IllegalArgumentException for an architecture, a tensor type or a tensor it cannot map (named)
     */
    public static Result export(Catalog.ModelSpec spec, Path gguf, Path dir) throws IOException {
        if (!ARCHITECTURES.contains(spec.arch())) {
            throw new IllegalArgumentException(spec.name() + ": a Hugging-Face checkpoint is written for llama, qwen2 and qwen3 models,"
                    + " not " + spec.arch());
        }
        GgufFile g = GgufFile.read(gguf);
        if (!spec.arch().equals(g.architecture())) {
            throw new IllegalArgumentException(gguf + " is a " + g.architecture() + " model, not " + spec.name() + " (" + spec.arch() + ")");
        }
        List<GgufTensorInfo> plan = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (GgufTensorInfo t : g.tensors()) {
            if (t.name().equals("rope_freqs.weight")) {
                continue;   // derived from the rope scaling in config.json
            }
            if (t.type() != GgmlType.F16 && t.type() != GgmlType.BF16 && t.type() != GgmlType.F32) {
                throw new IllegalArgumentException(gguf.getFileName() + ": tensor " + t.name() + " is " + t.type().name()
                        + "; a checkpoint holds unquantized weights: export " + spec.name() + ":F16");
            }
            names.put(t.name(), hfName(t.name()));
            plan.add(t);
        }
        Files.createDirectories(dir);
        long bytes = writeSafetensors(g, gguf, plan, names, spec, dir.resolve("model.safetensors"));
        writeJson(dir.resolve("config.json"), config(spec, g));
        String tokenizer = writeTokenizer(g, spec.hparam("n_ctx_train"), dir);
        return new Result(dir, plan.size(), bytes, tokenizer);
    }

    /** @return the transformers name of a GGUF tensor */
    static String hfName(String gguf) {
        switch (gguf) {
            case "token_embd.weight":
                return "model.embed_tokens.weight";
            case "output_norm.weight":
                return "model.norm.weight";
            case "output.weight":
                return "lm_head.weight";
            default:
                break;
        }
        if (!gguf.startsWith("blk.")) {
            throw new IllegalArgumentException("tensor " + gguf + " has no Hugging-Face name here");
        }
        int dot = gguf.indexOf('.', 4);
        String layer = gguf.substring(4, dot);
        String rest = gguf.substring(dot + 1);
        String mapped = switch (rest) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "ffn_norm.weight" -> "post_attention_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_q.bias" -> "self_attn.q_proj.bias";
            case "attn_k.bias" -> "self_attn.k_proj.bias";
            case "attn_v.bias" -> "self_attn.v_proj.bias";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "attn_q_norm.weight" -> "self_attn.q_norm.weight";
            case "attn_k_norm.weight" -> "self_attn.k_norm.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            default -> throw new IllegalArgumentException("tensor " + gguf + " has no Hugging-Face name here");
        };
        return "model.layers." + layer + "." + mapped;
    }

    /**
     * Undoes llama.cpp's per-head row permutation of a llama q/k projection: GGUF row
     * {@code h·d + 2j + t} is transformers row {@code h·d + t·d/2 + j} ({@code d} the head size,
     * {@code t} 0 or 1, {@code j < d/2}).
     *
     * @param rows    the GGUF matrix, {@code nRows} rows of {@code rowBytes} bytes
     * @param nHeads  heads the rows are split into
     * @return the rows in the transformers order
     */
    static byte[] unpermuteRows(byte[] rows, int nRows, int rowBytes, int nHeads) {
        if (nRows % nHeads != 0 || (nRows / nHeads) % 2 != 0) {
            throw new IllegalArgumentException(nRows + " rows do not split into " + nHeads + " heads of an even size");
        }
        int d = nRows / nHeads;
        byte[] out = new byte[rows.length];
        for (int h = 0; h < nHeads; h++) {
            for (int j = 0; j < d / 2; j++) {
                for (int t = 0; t < 2; t++) {
                    int from = h * d + 2 * j + t;
                    int to = h * d + t * (d / 2) + j;
                    System.arraycopy(rows, from * rowBytes, out, to * rowBytes, rowBytes);
                }
            }
        }
        return out;
    }

    private static long writeSafetensors(GgufFile g, Path gguf, List<GgufTensorInfo> plan, Map<String, String> names,
                                         Catalog.ModelSpec spec, Path target) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt").put("source", "edgebench forge: " + gguf.getFileName());
        long offset = 0;
        for (GgufTensorInfo t : plan) {
            ObjectNode e = header.putObject(names.get(t.name()));
            e.put("dtype", switch (t.type()) {
                case F16 -> "F16";
                case BF16 -> "BF16";
                default -> "F32";
            });
            ArrayNode shape = e.putArray("shape");
            for (int i = t.ne().length - 1; i >= 0; i--) {
                shape.add(t.ne()[i]);
            }
            e.putArray("data_offsets").add(offset).add(offset + t.nBytes());
            offset += t.nBytes();
        }
        byte[] h = new ObjectMapper().writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(h);
        while (head.position() < 8 + padded) {
            head.put((byte) ' ');
        }
        head.flip();
        boolean llama = spec.arch().equals("llama");
        int nHead = (int) spec.hparam("n_head");
        int nHeadKv = (int) spec.hparam("n_head_kv");
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        try (FileChannel in = FileChannel.open(gguf, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) {
                out.write(head);
            }
            for (GgufTensorInfo t : plan) {
                long at = g.dataOffset() + t.offset();
                boolean q = t.name().endsWith(".attn_q.weight");
                boolean k = t.name().endsWith(".attn_k.weight");
                if (llama && (q || k)) {
                    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.nBytes()));
                    while (b.hasRemaining()) {
                        if (in.read(b, at + b.position()) < 0) {
                            throw new IOException(gguf + " ends inside tensor " + t.name());
                        }
                    }
                    int rowBytes = Math.toIntExact(t.type().rowBytes(t.ne()[0]));
                    byte[] rows = unpermuteRows(b.array(), Math.toIntExact(t.ne()[1]), rowBytes, q ? nHead : nHeadKv);
                    ByteBuffer w = ByteBuffer.wrap(rows);
                    while (w.hasRemaining()) {
                        out.write(w);
                    }
                } else {
                    long done = 0;
                    while (done < t.nBytes()) {
                        long n = in.transferTo(at + done, t.nBytes() - done, out);
                        if (n <= 0) {
                            throw new IOException(gguf + " ends inside tensor " + t.name());
                        }
                        done += n;
                    }
                }
            }
            out.force(false);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return 8L + padded + offset;
    }

    /** @return config.json: the catalog's hyper-parameters under the transformers keys of the architecture */
    static ObjectNode config(Catalog.ModelSpec spec, GgufFile g) {
        ObjectNode c = JSON.createObjectNode();
        String cls = switch (spec.arch()) {
            case "llama" -> "LlamaForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "Qwen3ForCausalLM";
        };
        c.putArray("architectures").add(cls);
        c.put("model_type", spec.arch());
        c.put("hidden_size", spec.hparam("n_embd"));
        c.put("intermediate_size", spec.hparam("n_ff"));
        c.put("num_hidden_layers", spec.hparam("n_layer"));
        c.put("num_attention_heads", spec.hparam("n_head"));
        c.put("num_key_value_heads", spec.hparam("n_head_kv"));
        c.put("head_dim", spec.hparam("head_dim"));
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", spec.hparam("n_ctx_train"));
        c.put("rms_norm_eps", ((Number) spec.hparams().get("rms_eps")).doubleValue());
        c.put("rope_theta", ((Number) spec.hparams().get("rope_theta")).doubleValue());
        c.put("vocab_size", spec.hparam("n_vocab"));
        c.put("tie_word_embeddings", spec.flag("tied_embeddings"));
        c.put("attention_bias", spec.flag("attn_bias"));
        if (spec.arch().equals("llama")) {
            c.put("mlp_bias", false);
        }
        if (spec.hparams().get("rope_scaling_factor") instanceof Number f) {
            c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", f.doubleValue())
                    .put("low_freq_factor", ((Number) spec.hparams().get("rope_low_freq_factor")).doubleValue())
                    .put("high_freq_factor", ((Number) spec.hparams().get("rope_high_freq_factor")).doubleValue())
                    .put("original_max_position_embeddings", spec.hparam("rope_orig_ctx"));
        } else {
            c.putNull("rope_scaling");
        }
        long bos = g.getLong("tokenizer.ggml.bos_token_id", -1);
        long eos = g.getLong("tokenizer.ggml.eos_token_id", -1);
        if (bos >= 0) {
            c.put("bos_token_id", bos);
        }
        if (eos >= 0) {
            c.put("eos_token_id", eos);
        }
        GgmlType t = g.tensor("token_embd.weight").type();
        c.put("torch_dtype", t == GgmlType.BF16 ? "bfloat16" : t == GgmlType.F32 ? "float32" : "float16");
        c.put("use_cache", true);
        return c;
    }

    /**
     * Writes tokenizer.json and tokenizer_config.json from a GGUF's BPE vocabulary (a model's, or one of
     * llama.cpp's vocabulary-only test files) into {@code dir}, when it is one this writes (llama-bpe, qwen2).
     *
     * @param maxLength the tokenizer's model_max_length
     * @return what it wrote, or "none (...)" saying why it wrote nothing
     */
    public static String writeTokenizer(GgufFile g, long maxLength, Path dir) throws IOException {
        String model = g.getString("tokenizer.ggml.model", "none");
        String pre = g.getString("tokenizer.ggml.pre", "");
        GgufKv tokensKv = g.get("tokenizer.ggml.tokens");
        GgufKv mergesKv = g.get("tokenizer.ggml.merges");
        if (!model.equals("gpt2") || tokensKv == null || mergesKv == null || !PRE_REGEX.containsKey(pre)) {
            return "none (the GGUF's vocabulary is " + model + (pre.isEmpty() ? "" : ", pre-tokenizer " + pre)
                    + "; tokenizer.json is written for the llama-bpe and qwen2 BPE vocabularies)";
        }
        String[] tokens = (String[]) tokensKv.value();
        String[] merges = (String[]) mergesKv.value();
        GgufKv typesKv = g.get("tokenizer.ggml.token_type");
        int[] types = typesKv == null ? new int[tokens.length] : (int[]) typesKv.value();
        ObjectNode t = JSON.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        ObjectNode vocab = JSON.createObjectNode();
        int regular = 0;
        int special = 0;
        for (int i = 0; i < tokens.length; i++) {
            int type = i < types.length ? types[i] : 1;
            if (type == 5 || type == 4 && tokens[i].equals("[PAD" + i + "]")) {
                continue;   // padding of the embedding past the tokenizer's vocabulary (llama.cpp's converter names it so)
            }
            if (type == 3 || type == 4) {
                added.addObject().put("id", i).put("content", tokens[i]).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", type == 4).put("special", type == 3);
                special++;
            }
            vocab.put(tokens[i], i);
            regular++;
        }
        t.putNull("normalizer");
        ObjectNode preTok = t.putObject("pre_tokenizer");
        preTok.put("type", "Sequence");
        ArrayNode seq = preTok.putArray("pretokenizers");
        ObjectNode split = seq.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PRE_REGEX.get(pre));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        seq.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
        t.putNull("post_processor");
        t.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode m = t.putObject("model");
        m.put("type", "BPE");
        m.putNull("dropout");
        m.putNull("unk_token");
        m.putNull("continuing_subword_prefix");
        m.putNull("end_of_word_suffix");
        m.put("fuse_unk", false);
        m.put("byte_fallback", false);
        m.put("ignore_merges", pre.equals("llama-bpe"));
        m.set("vocab", vocab);
        ArrayNode ms = m.putArray("merges");
        for (String merge : merges) {
            ms.add(merge);
        }
        writeJson(dir.resolve("tokenizer.json"), t);
        ObjectNode tc = JSON.createObjectNode();
        tc.put("tokenizer_class", "PreTrainedTokenizerFast");
        long bos = g.getLong("tokenizer.ggml.bos_token_id", -1);
        long eos = g.getLong("tokenizer.ggml.eos_token_id", -1);
        if (bos >= 0 && bos < tokens.length) {
            tc.put("bos_token", tokens[(int) bos]);
        }
        if (eos >= 0 && eos < tokens.length) {
            tc.put("eos_token", tokens[(int) eos]);
        }
        tc.put("add_bos_token", g.get("tokenizer.ggml.add_bos_token") != null
                && Boolean.TRUE.equals(g.get("tokenizer.ggml.add_bos_token").value()));
        tc.put("model_max_length", maxLength);
        writeJson(dir.resolve("tokenizer_config.json"), tc);
        return String.format(Locale.ROOT, "BPE, pre-tokenizer %s: %d tokens (%d added), %d merges", pre, regular, special, merges.length);
    }

    private static void writeJson(Path target, ObjectNode node) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            o.write(JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
            o.write('\n');
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
