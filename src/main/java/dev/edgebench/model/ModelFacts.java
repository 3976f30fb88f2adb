package dev.edgebench.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a GGUF model costs to run, read from its header alone (synthetic or real files alike).
 * These feed the roofline columns: bytes read per decoded token over the step time is the
 * memory bandwidth a decode achieved.
 *
 * @param path                 the file
 * @param architecture         {@code general.architecture}
 * @param name                 {@code general.name}, or the file name
 * @param fileType             the llama.cpp file type name, or "unknown"
 * @param synthetic            forged by edgebench (seeded random weights)
 * @param parameters           number of parameters (elements of all tensors)
 * @param fileBytes            file size
 * @param tensorBytes          bytes of all tensor data
 * @param weightBytesPerToken  bytes of weights one decode step reads at batch 1: every tensor
 *                             once, except the token embedding, of which one row is read
 *                             (all of it when it doubles as the output projection)
 * @param nLayer               layers
 * @param nEmbd                embedding size
 * @param nHead                attention heads
 * @param nHeadKv              key/value heads
 * @param headDimK             key head size
 * @param headDimV             value head size
 * @param nVocab               vocabulary size
 * @param nCtxTrain            trained context
 * @param tensorTypes          tensors per type, e.g. {q4_0=112, q6_K=1, f32=33}
 * @param matmulParameters     weights one token multiplies: every matrix except the token
 *                             embedding (which is a row lookup), plus the embedding when it
 *                             doubles as the output projection; 2 × this is the FLOPs per token
 *                             of the matrix products (attention excluded)
 */
public record ModelFacts(Path path, String architecture, String name, String fileType, boolean synthetic, long parameters,
                         long fileBytes, long tensorBytes, long weightBytesPerToken, int nLayer, int nEmbd, int nHead,
                         int nHeadKv, int headDimK, int headDimV, long nVocab, long nCtxTrain, Map<String, Integer> tensorTypes,
                         long matmulParameters) {

    /**
     * Reads a model's facts.
     *
     * @throws GgufFormatException when the file is not valid GGUF (truncated, corrupt)
     */
    public static ModelFacts of(Path path) throws IOException {
        GgufFile g = GgufFile.read(path);
        String arch = g.architecture();
        long params = 0;
        long bytes = 0;
        Map<String, Integer> types = new TreeMap<>();
        GgufTensorInfo embd = g.tensor("token_embd.weight");
        for (GgufTensorInfo t : g.tensors()) {
            params += t.nElements();
            bytes += t.nBytes();
            types.merge(t.type().ggmlName(), 1, Integer::sum);
        }
        boolean tied = g.tensor("output.weight") == null;
        long matmul = 0;
        for (GgufTensorInfo t : g.tensors()) {
            if (t.ne().length >= 2 && (t != embd || tied)) {
                matmul += t.nElements();
            }
        }
        long perToken = bytes;
        if (embd != null && !tied) {
            perToken = perToken - embd.nBytes() + embd.rowBytes();
        }
        int nEmbd = (int) g.getLong(arch + ".embedding_length", 0);
        int nHead = (int) g.getLong(arch + ".attention.head_count", 0);
        int nHeadKv = (int) g.getLong(arch + ".attention.head_count_kv", nHead);
        int hdK = (int) g.getLong(arch + ".attention.key_length", nHead == 0 ? 0 : nEmbd / nHead);
        int hdV = (int) g.getLong(arch + ".attention.value_length", nHead == 0 ? 0 : nEmbd / nHead);
        long nVocab = g.getLong(arch + ".vocab_size", embd == null ? 0 : embd.ne()[embd.ne().length - 1]);
        LlamaFileType ft = LlamaFileType.ofId(g.getLong("general.file_type", -1));
        GgufKv syn = g.get("edgebench.synthetic");
        return new ModelFacts(path, arch, g.getString("general.name", path.getFileName().toString()),
                ft == null ? "unknown" : ft.name(), syn != null && Boolean.TRUE.equals(syn.value()), params, g.fileBytes(),
                bytes, perToken, (int) g.getLong(arch + ".block_count", 0), nEmbd, nHead, nHeadKv, hdK, hdV, nVocab,
                g.getLong(arch + ".context_length", 0), types, matmul);
    }

    /**
     * @param kvType K and V cache element type (F16 by default in llama.cpp)
     * @return bytes of KV cache per token of context (all layers, K and V)
     */
    public long kvBytesPerToken(GgmlType kvType) {
        return kvBytesPerToken(kvType, kvType);
    }

    /** @return bytes of KV cache per token of context with separate K and V types */
    public long kvBytesPerToken(GgmlType k, GgmlType v) {
        long perLayer = k.rowBytes(pad(nHeadKv * (long) headDimK, k)) + v.rowBytes(pad(nHeadKv * (long) headDimV, v));
        return nLayer * perLayer;
    }

    private static long pad(long n, GgmlType t) {
        return (n + t.blockSize() - 1) / t.blockSize() * t.blockSize();
    }

    /** @return the facts as an ordered map, for JSON */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path.toString());
        m.put("architecture", architecture);
        m.put("name", name);
        m.put("fileType", fileType);
        m.put("synthetic", synthetic);
        m.put("parameters", parameters);
        m.put("matmulParameters", matmulParameters);
        m.put("fileBytes", fileBytes);
        m.put("tensorBytes", tensorBytes);
        m.put("weightBytesPerToken", weightBytesPerToken);
        m.put("kvBytesPerTokenF16", kvBytesPerToken(GgmlType.F16));
        m.put("nLayer", nLayer);
        m.put("nEmbd", nEmbd);
        m.put("nHead", nHead);
        m.put("nHeadKv", nHeadKv);
        m.put("headDimK", headDimK);
        m.put("headDimV", headDimV);
        m.put("nVocab", nVocab);
        m.put("nCtxTrain", nCtxTrain);
        m.put("tensorTypes", tensorTypes);
        return m;
    }
}
