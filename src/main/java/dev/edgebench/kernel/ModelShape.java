package dev.edgebench.kernel;

import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.GgufKv;
import dev.edgebench.model.GgufTensorInfo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the op inventory needs of a model: the architecture's hyper-parameters and every weight
 * tensor with its real type and shape. Read from a GGUF file ({@link #fromGguf}: real per-tensor
 * types, as llama.cpp's quantizer chose them) or from the catalog ({@link #fromCatalog}: types
 * from a rule, no file needed).
 *
 * <p>Immutable; thread-safe.
 *
 * @param name          a label for tables
 * @param arch          llama.cpp architecture ({@code general.architecture})
 * @param nEmbd         embedding size
 * @param nLayer        layers
 * @param nHead         attention heads
 * @param nHeadKv       key/value heads
 * @param headDim       head size (keys and values)
 * @param ropeDims      rotated dimensions per head
 * @param nFf           feed-forward size
 * @param nVocab        vocabulary size
 * @param rmsEps        RMS norm epsilon
 * @param ropeBase      RoPE frequency base
 * @param attnSoftcap   attention logit soft-cap, 0 = none (Gemma 2)
 * @param finalSoftcap  output logit soft-cap, 0 = none (Gemma 2)
 * @param slidingWindow sliding-window size of the SWA layers, 0 = none (Gemma 2: even layers)
 * @param tensors       weight tensors by GGUF name
 */
public record ModelShape(String name, String arch, int nEmbd, int nLayer, int nHead, int nHeadKv, int headDim, int ropeDims,
                         int nFf, long nVocab, double rmsEps, double ropeBase, double attnSoftcap, double finalSoftcap,
                         int slidingWindow, Map<String, TensorShape> tensors) {

    /** The layouts {@link OpInventory} knows. */
    public static final Set<String> ARCHITECTURES = Set.of("llama", "qwen2", "qwen3", "phi3", "gemma2");

    public ModelShape {
        if (!ARCHITECTURES.contains(arch)) {
            throw new IllegalArgumentException("model " + name + ": architecture '" + arch + "' has no op layout; supported: "
                    + ARCHITECTURES.stream().sorted().toList());
        }
        if (nEmbd <= 0 || nLayer <= 0 || nHead <= 0 || nHeadKv <= 0 || headDim <= 0 || nFf <= 0 || nVocab <= 0) {
            throw new IllegalArgumentException("model " + name + ": hyper-parameters must be positive (n_embd " + nEmbd
                    + ", n_layer " + nLayer + ", n_head " + nHead + ", n_head_kv " + nHeadKv + ", head_dim " + headDim
                    + ", n_ff " + nFf + ", n_vocab " + nVocab + ")");
        }
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        if (!tensors.containsKey("token_embd.weight")) {
            throw new IllegalArgumentException("model " + name + " has no token_embd.weight tensor");
        }
    }

    /**
     * A catalog model, types by rule (no file read).
     *
     * @param typeOf the type of each weight matrix (2-D tensor) by GGUF name; 1-D tensors are F32
     */
    public static ModelShape fromCatalog(Catalog catalog, Catalog.ModelSpec m, Function<String, GgmlType> typeOf) {
        Map<String, TensorShape> tensors = new LinkedHashMap<>();
        for (Catalog.PlannedTensor t : catalog.plan(m)) {
            tensors.put(t.name(), new TensorShape(t.ne().length == 1 ? GgmlType.F32 : typeOf.apply(t.name()), t.ne()));
        }
        Map<String, Object> hp = m.hparams();
        return new ModelShape(m.name(), m.arch(), (int) m.hparam("n_embd"), (int) m.hparam("n_layer"), (int) m.hparam("n_head"),
                (int) m.hparam("n_head_kv"), (int) m.hparam("head_dim"), (int) m.hparam("head_dim"), (int) m.hparam("n_ff"),
                m.hparam("n_vocab"), number(hp, "rms_eps", 1e-5), number(hp, "rope_theta", 10000), number(hp, "attn_softcap", 0),
                number(hp, "final_softcap", 0), m.arch().equals("gemma2") ? (int) number(hp, "sliding_window", 4096) : 0, tensors);
    }

    /**
     * Types as llama.cpp's quantizer gives a plain file type on the catalog's layouts: every
     * weight matrix of {@code matrices}, the token embedding (and the output projection it is tied
     * to) of {@code embedding}.
     */
    public static Function<String, GgmlType> uniformTypes(GgmlType matrices, GgmlType embedding) {
        return name -> name.equals("token_embd.weight") || name.equals("output.weight") ? embedding : matrices;
    }

    /**
     * A GGUF file: hyper-parameters from its metadata, each tensor's real type and shape.
     *
     * @throws IllegalArgumentException when the architecture has no layout or a key is missing
     */
    public static ModelShape fromGguf(GgufFile g) {
        String arch = g.architecture();
        Map<String, TensorShape> tensors = new LinkedHashMap<>();
        for (GgufTensorInfo t : g.tensors()) {
            tensors.put(t.name(), new TensorShape(t.type(), t.ne()));
        }
        String name = g.getString("edgebench.catalog_name", g.getString("general.name", g.path().getFileName().toString()));
        int nEmbd = (int) g.requireLong(arch + ".embedding_length");
        int nHead = (int) g.requireLong(arch + ".attention.head_count");
        int headDim = (int) g.getLong(arch + ".attention.key_length", nEmbd / nHead);
        TensorShape embd = tensors.get("token_embd.weight");
        long nVocab = g.getLong(arch + ".vocab_size", embd == null ? 0 : embd.dim(1));
        return new ModelShape(name, arch, nEmbd, (int) g.requireLong(arch + ".block_count"), nHead,
                (int) g.getLong(arch + ".attention.head_count_kv", nHead), headDim,
                (int) g.getLong(arch + ".rope.dimension_count", headDim), (int) g.requireLong(arch + ".feed_forward_length"),
                nVocab, f32(g, arch + ".attention.layer_norm_rms_epsilon", 1e-5), f32(g, arch + ".rope.freq_base", 10000),
                f32(g, arch + ".attn_logit_softcapping", arch.equals("gemma2") ? 50 : 0),
                f32(g, arch + ".final_logit_softcapping", arch.equals("gemma2") ? 30 : 0),
                arch.equals("gemma2") ? (int) g.getLong(arch + ".attention.sliding_window", 4096) : 0, tensors);
    }

    /** Reads an f32 key as the decimal it was written from (1e-5, not 9.99999974e-6). */
    private static double f32(GgufFile g, String key, double dflt) {
        GgufKv kv = g.get(key);
        if (kv == null || !(kv.value() instanceof Number n)) {
            return dflt;
        }
        return kv.value() instanceof Float f ? Double.parseDouble(Float.toString(f)) : n.doubleValue();
    }

    private static double number(Map<String, Object> hp, String key, double dflt) {
        return hp.get(key) instanceof Number n ? n.doubleValue() : dflt;
    }

    /**
     * @param name a GGUF tensor name
     * @return its shape and type
     * @throws IllegalArgumentException naming the model and the tensor when absent
     */
    public TensorShape tensor(String name) {
        TensorShape t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("model " + this.name + " has no tensor " + name);
        }
        return t;
    }

    /** @return whether the model has a tensor */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** @return a layer tensor: {@code blk.<layer>.<suffix>} */
    public TensorShape layer(int layer, String suffix) {
        return tensor("blk." + layer + "." + suffix);
    }

    /** @return whether a layer tensor exists */
    public boolean hasLayer(int layer, String suffix) {
        return has("blk." + layer + "." + suffix);
    }

    /** @return the output projection: {@code output.weight}, or the tied token embedding */
    public TensorShape output() {
        return has("output.weight") ? tensor("output.weight") : tensor("token_embd.weight");
    }

    /** @return whether layer {@code il} uses sliding-window attention (Gemma 2: even layers) */
    public boolean isSwaLayer(int il) {
        return slidingWindow > 0 && il % 2 == 0;
    }

    /** @return llama.cpp's RoPE mode for the architecture: 0 normal (llama), 2 NeoX (the others) */
    public int ropeMode() {
        return arch.equals("llama") ? 0 : 2;
    }

    /** @return the scale applied to KQ inside attention (1 where the query was scaled before) */
    public double kqScale() {
        return switch (arch) {
            case "phi3", "gemma2" -> 1.0;
            default -> 1.0 / Math.sqrt(headDim);
        };
    }

    /** @return the scale a SCALE node applies to Q before attention, or 0 when there is none */
    public double queryScale() {
        return switch (arch) {
            case "phi3" -> 1.0 / Math.sqrt(headDim);
            // Gemma 2 27B scales by n_embd / n_head, the smaller ones by the head size (llama.cpp gemma2.cpp)
            case "gemma2" -> nLayer == 46 ? 1.0 / Math.sqrt((double) nEmbd / nHead) : 1.0 / Math.sqrt(headDim);
            default -> 0;
        };
    }

    /** @return weight types present, e.g. {q4_0=112, q6_K=1}, for tables */
    public Map<String, Integer> weightTypes() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (TensorShape t : tensors.values()) {
            if (t.ne().length >= 2) {
                m.merge(t.type().ggmlName(), 1, Integer::sum);
            }
        }
        return m;
    }
}
