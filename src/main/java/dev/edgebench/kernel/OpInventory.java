package dev.edgebench.kernel;

import dev.edgebench.model.GgmlType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The distinct kernels of one inference step of a model, with how many times each runs: the
 * compute nodes of the graph llama.cpp builds for the step (llama.cpp {@code src/models/*.cpp},
 * {@code llm_graph_context::build_attn_mha}, {@code llama_kv_cache::cpy_k/cpy_v} of the pinned
 * source), without the views, reshapes and permutes that compute nothing.
 *
 * <p>Shapes follow llama.cpp's: the KV length a graph sees is the used cells padded to 256; in
 * the last layer only the rows that produce logits go through the feed-forward network (one per
 * sequence at decode, the last prompt token at prefill, none in earlier prefill micro-batches).
 * Kernels with the same op, sources and parameters are merged; their roles are listed together.
 *
 * <p>Immutable; thread-safe.
 */
public final class OpInventory {
    private final ModelShape model;
    private final Phase phase;
    private final AttentionConfig attention;
    private final List<Entry> entries;

    /**
     * One distinct kernel of a step.
     *
     * @param spec  the kernel
     * @param roles what it computes in the model, e.g. "attn_q+attn_output"
     * @param count runs per step
     */
    public record Entry(KernelSpec spec, String roles, int count) {
        /** @return floating-point operations per step */
        public double flopsPerStep() {
            return count * spec.flops();
        }
    }

    private OpInventory(ModelShape model, Phase phase, AttentionConfig attention, List<Entry> entries) {
        this.model = model;
        this.phase = phase;
        this.attention = attention;
        this.entries = entries;
    }

    /**
     * Derives the inventory of one step.
     *
     * @throws IllegalArgumentException when a tensor the layout needs is missing from the model
     */
    public static OpInventory of(ModelShape model, Phase phase, AttentionConfig attention) {
        Builder b = new Builder(model, attention);
        b.nUbatch = phase.kind() == Phase.Kind.DECODE ? Phase.DEFAULT_UBATCH : phase.ubatch();
        if (phase.kind() == Phase.Kind.DECODE) {
            // llama.cpp's default (kv_unified = false, as edgebench's benchmarks run it): one KV stream per
            // sequence, so attention runs per stream over that sequence's own (padded) cache
            b.streams = phase.batch();
            b.nkvStream = Phase.padKv(phase.depth() + 1L);
            b.ubatch(phase.batch(), phase.batch(), phase.depth(), false, Phase.padKv(phase.kvCells()));
        } else {
            for (int start = 0; start < phase.tokens(); start += phase.ubatch()) {
                int n = Math.min(phase.ubatch(), phase.tokens() - start);
                boolean last = start + n == phase.tokens();
                long past = (long) phase.depth() + start;
                b.ubatch(n, last ? 1 : 0, past, true, Phase.padKv(past + n));
            }
        }
        return new OpInventory(model, phase, attention, b.entries());
    }

    /** @return the model */
    public ModelShape model() {
        return model;
    }

    /** @return the step */
    public Phase phase() {
        return phase;
    }

    /** @return how attention is run */
    public AttentionConfig attention() {
        return attention;
    }

    /** @return the distinct kernels, in the order the step first runs them */
    public List<Entry> entries() {
        return entries;
    }

    /** @return kernel runs per step, all entries */
    public int totalRuns() {
        return entries.stream().mapToInt(Entry::count).sum();
    }

    /** @return runs per step by op kind */
    public Map<OpKind, Integer> runsByKind() {
        Map<OpKind, Integer> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            m.merge(e.spec().kind(), e.count(), Integer::sum);
        }
        return m;
    }

    /** @return the entry of a spec, or null */
    public Entry find(KernelSpec spec) {
        for (Entry e : entries) {
            if (e.spec().equals(spec)) {
                return e;
            }
        }
        return null;
    }

    /** Accumulates kernels in first-run order, merging identical specs. */
    private static final class Builder {
        private final ModelShape m;
        private final AttentionConfig a;
        private final Map<KernelSpec, int[]> counts = new LinkedHashMap<>();
        private final Map<KernelSpec, Set<String>> roles = new LinkedHashMap<>();

        Builder(ModelShape m, AttentionConfig a) {
            this.m = m;
            this.a = a;
        }

        private void add(String role, OpKind kind, List<TensorShape> src, Object... params) {
            KernelSpec s = KernelSpec.of(kind, src, params);
            counts.computeIfAbsent(s, k -> new int[1])[0]++;
            roles.computeIfAbsent(s, k -> new LinkedHashSet<>()).add(role);
        }

        List<Entry> entries() {
            List<Entry> out = new ArrayList<>();
            counts.forEach((s, c) -> out.add(new Entry(s, String.join("+", roles.get(s)), c[0])));
            return Collections.unmodifiableList(out);
        }

        private static TensorShape f32(long... ne) {
            return TensorShape.of(GgmlType.F32, ne);
        }

        /** RMS norm then the weight multiply (llm_graph_context::build_norm, LLM_NORM_RMS). */
        private void norm(String role, TensorShape x, TensorShape weight) {
            add(role, OpKind.RMS_NORM, List.of(x), "eps", m.rmsEps());
            add(role, OpKind.MUL, List.of(x, weight));
        }

        private TensorShape matmul(String role, TensorShape w, long rows) {
            add(role, OpKind.MUL_MAT, List.of(w, f32(w.dim(0), rows)));
            return f32(w.dim(1), rows);
        }

        /**
         * One micro-batch.
         *
         * @param t       tokens in it
         * @param outputs rows that produce logits (the last layer's FFN and the output run on these)
         * @param past    KV positions before its first token (per sequence)
         * @param causal  true: one sequence, row i attends past+i+1; false: t sequences of one token
         * @param nkv     KV length the graph sees
         */
        /** The context's n_ubatch: it sizes the sliding-window cache. */
        int nUbatch = Phase.DEFAULT_UBATCH;
        /** KV streams of a decode ubatch (one per sequence); 1 for prefill. */
        int streams = 1;
        /** KV length attention sees in each stream when {@link #streams} &gt; 1. */
        long nkvStream;

        void ubatch(int t, int outputs, long past, boolean causal, long nkv) {
            int e = m.nEmbd(), hd = m.headDim(), h = m.nHead(), hkv = m.nHeadKv();
            String arch = m.arch();
            TensorShape embd = m.tensor("token_embd.weight");
            add("token_embd", OpKind.GET_ROWS, List.of(embd, TensorShape.of(GgmlType.I32, t)));
            TensorShape x = f32(e, t);
            if (arch.equals("gemma2")) {
                add("embd_scale", OpKind.SCALE, List.of(x), "s", KernelSpec.num(Math.sqrt(e)));
            }
            for (int il = 0; il < m.nLayer(); il++) {
                boolean lastLayer = il == m.nLayer() - 1;
                int rows = lastLayer ? outputs : t;
                norm("attn_norm", x, m.layer(il, "attn_norm.weight"));
                // projections (llm_graph_context::build_qkv)
                if (m.hasLayer(il, "attn_qkv.weight")) {
                    TensorShape qkv = matmul("attn_qkv", m.layer(il, "attn_qkv.weight"), t);
                    if (m.hasLayer(il, "attn_qkv.bias")) {
                        add("attn_qkv.bias", OpKind.ADD, List.of(qkv, m.layer(il, "attn_qkv.bias")));
                    }
                } else {
                    for (String p : List.of("q", "k", "v")) {
                        TensorShape out = matmul("attn_" + p, m.layer(il, "attn_" + p + ".weight"), t);
                        if (m.hasLayer(il, "attn_" + p + ".bias")) {
                            add("attn_" + p + ".bias", OpKind.ADD, List.of(out, m.layer(il, "attn_" + p + ".bias")));
                        }
                    }
                }
                TensorShape q = f32(hd, h, t), k = f32(hd, hkv, t);
                if (m.hasLayer(il, "attn_q_norm.weight")) {
                    norm("attn_q_norm", q, m.layer(il, "attn_q_norm.weight"));
                }
                List<TensorShape> ropeQ = new ArrayList<>(List.of(q, TensorShape.of(GgmlType.I32, t)));
                List<TensorShape> ropeK = new ArrayList<>(List.of(k, TensorShape.of(GgmlType.I32, t)));
                if (m.has("rope_freqs.weight")) {
                    ropeQ.add(m.tensor("rope_freqs.weight"));
                    ropeK.add(m.tensor("rope_freqs.weight"));
                }
                Object[] rope = {"mode", m.ropeMode(), "dims", m.ropeDims(), "base", KernelSpec.num(m.ropeBase())};
                add("rope_q", OpKind.ROPE, ropeQ, rope);
                if (m.hasLayer(il, "attn_k_norm.weight")) {
                    norm("attn_k_norm", k, m.layer(il, "attn_k_norm.weight"));
                }
                add("rope_k", OpKind.ROPE, ropeK, rope);
                if (m.queryScale() != 0) {
                    add("q_scale", OpKind.SCALE, List.of(q), "s", KernelSpec.num(m.queryScale()));
                }
                attention(il, t, past, causal, nkv);
                TensorShape attnOut = matmul("attn_output", m.layer(il, "attn_output.weight"), t);
                if (lastLayer) {
                    if (rows == 0) {
                        break;
                    }
                    TensorShape ids = TensorShape.of(GgmlType.I32, rows);
                    add("out_ids", OpKind.GET_ROWS, List.of(attnOut, ids));
                    add("out_ids", OpKind.GET_ROWS, List.of(x, ids));
                }
                TensorShape r = f32(e, rows);
                if (m.hasLayer(il, "post_attention_norm.weight")) {
                    norm("attn_post_norm", r, m.layer(il, "post_attention_norm.weight"));
                }
                add("residual", OpKind.ADD, List.of(r, r));
                norm("ffn_norm", r, m.layer(il, "ffn_norm.weight"));
                ffn(il, rows);
                if (m.hasLayer(il, "post_ffw_norm.weight")) {
                    norm("ffn_post_norm", r, m.layer(il, "post_ffw_norm.weight"));
                }
                add("residual", OpKind.ADD, List.of(r, r));
                x = r;
            }
            if (outputs == 0) {
                return;
            }
            TensorShape y = f32(e, outputs);
            norm("output_norm", y, m.tensor("output_norm.weight"));
            TensorShape logits = matmul("output", m.output(), outputs);
            if (m.finalSoftcap() > 0) {
                add("output_softcap", OpKind.SCALE, List.of(logits), "s", KernelSpec.num(1.0 / m.finalSoftcap()));
                add("output_softcap", OpKind.TANH, List.of(logits));
                add("output_softcap", OpKind.SCALE, List.of(logits), "s", KernelSpec.num(m.finalSoftcap()));
            }
        }

        /** KV store and attention (llama_kv_cache::cpy_k/cpy_v, build_attn_mha). */
        private void attention(int il, int t, long past, boolean causal, long nkv) {
            int hd = m.headDim(), h = m.nHead(), hkv = m.nHeadKv();
            long kvDim = (long) hd * hkv;
            long window = m.isSwaLayer(il) ? m.slidingWindow() : 0;
            long nkvS = nkvStream;
            if (window > 0) {
                // sliding-window layers keep only window + n_ubatch cells (swa_full = false, as llama-bench
                // and edgebench run): llama_kv_cache_iswa's size_swa
                long cap = Phase.padKv(window + nUbatch);
                nkv = Math.min(nkv, cap);
                nkvS = Math.min(nkvS, cap);
            }
            add("k_store", OpKind.SET_ROWS, List.of(TensorShape.of(a.typeK(), kvDim, nkv), f32(kvDim, t),
                    TensorShape.of(GgmlType.I64, t)));
            if (a.flashAttn()) {
                add("v_store", OpKind.SET_ROWS, List.of(TensorShape.of(a.typeV(), kvDim, nkv), f32(kvDim, t),
                        TensorShape.of(GgmlType.I64, t)));
                if (streams > 1) {
                    long ts = t / streams;
                    add("attention", OpKind.FLASH_ATTN_EXT, List.of(f32(hd, ts, h, streams),
                                    TensorShape.of(a.typeK(), hd, nkvS, hkv, streams),
                                    TensorShape.of(a.typeV(), hd, nkvS, hkv, streams),
                                    TensorShape.of(GgmlType.F16, nkvS, ts, 1, streams)),
                            attentionParams(true, past, causal, window));
                    return;
                }
                add("attention", OpKind.FLASH_ATTN_EXT, List.of(f32(hd, t, h), TensorShape.of(a.typeK(), hd, nkv, hkv),
                                TensorShape.of(a.typeV(), hd, nkv, hkv), TensorShape.of(GgmlType.F16, nkv, t)),
                        attentionParams(true, past, causal, window));
                return;
            }
            if (m.hasLayer(il, "attn_qkv.weight")) {
                // a V view of the fused projection is not contiguous: llama.cpp copies it first
                add("v_cont", OpKind.CONT, List.of(f32(kvDim, t)), "perm", "0123");
            }
            // the transposed V cache is written one element per row
            add("v_store", OpKind.SET_ROWS, List.of(TensorShape.of(a.typeV(), 1, kvDim * nkv), f32(1, kvDim * t),
                    TensorShape.of(GgmlType.I64, kvDim * t)));
            // per KV stream (decode of several sequences) or one stream: [.., tokens, heads(, streams)]
            long ts = t / streams;
            long n = streams > 1 ? nkvS : nkv;
            TensorShape kq = streams > 1 ? f32(n, ts, h, streams) : f32(n, t, h);
            add("kq", OpKind.MUL_MAT, List.of(streams > 1 ? TensorShape.of(a.typeK(), hd, n, hkv, streams)
                    : TensorShape.of(a.typeK(), hd, n, hkv), streams > 1 ? f32(hd, ts, h, streams) : f32(hd, t, h)), "attn", "kq");
            if (m.attnSoftcap() > 0) {
                add("kq_softcap", OpKind.SCALE, List.of(kq), "s", KernelSpec.num(1.0 / m.attnSoftcap()));
                add("kq_softcap", OpKind.TANH, List.of(kq));
                add("kq_softcap", OpKind.SCALE, List.of(kq), "s", KernelSpec.num(m.attnSoftcap()));
            }
            add("softmax", OpKind.SOFT_MAX, List.of(kq, streams > 1 ? f32(n, ts, 1, streams) : f32(n, t)),
                    attentionParams(false, past, causal, window));
            add("kqv", OpKind.MUL_MAT, List.of(streams > 1 ? TensorShape.of(a.typeV(), n, hd, hkv, streams)
                    : TensorShape.of(a.typeV(), n, hd, hkv), kq));
            add("kqv_cont", OpKind.CONT, List.of(streams > 1 ? f32(hd, ts, h, streams) : f32(hd, t, h)), "perm", "0213");
        }

        /** scale, [softcap,] past, causal[, window]: the window only on sliding-window layers. */
        private Object[] attentionParams(boolean flash, long past, boolean causal, long window) {
            List<Object> p = new ArrayList<>(List.of("scale", KernelSpec.num(m.kqScale())));
            if (flash) {
                p.addAll(List.of("softcap", KernelSpec.num(m.attnSoftcap())));
            }
            p.addAll(List.of("past", past, "causal", causal ? 1 : 0));
            if (window > 0) {
                p.addAll(List.of("window", window));
            }
            return p.toArray();
        }

        /** The feed-forward network (llm_graph_context::build_ffn). */
        private void ffn(int il, int rows) {
            String act = m.arch().equals("gemma2") ? "GEGLU" : "SWIGLU";
            OpKind glu = OpKind.valueOf(act);
            if (m.hasLayer(il, "ffn_gate.weight")) {
                TensorShape gate = matmul("ffn_gate", m.layer(il, "ffn_gate.weight"), rows);
                TensorShape up = matmul("ffn_up", m.layer(il, "ffn_up.weight"), rows);
                add("ffn_act", glu, List.of(gate, up));
            } else {
                // Phi-3: one up projection of both halves, split by the GLU itself
                TensorShape up = matmul("ffn_up", m.layer(il, "ffn_up.weight"), rows);
                add("ffn_act", glu, List.of(up));
            }
            matmul("ffn_down", m.layer(il, "ffn_down.weight"), rows);
        }
    }
}
