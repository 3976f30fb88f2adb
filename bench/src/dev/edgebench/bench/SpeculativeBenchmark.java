package dev.edgebench.bench;

import dev.edgebench.engine.llama.LlamaContext;
import dev.edgebench.engine.llama.LlamaContextParams;
import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.engine.llama.SpeculativeDecoder;
import dev.edgebench.latency.TokenClock;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.Models;
import dev.edgebench.run.Metric;
import dev.edgebench.run.SpeculativeOptions;
import dev.edgebench.speculative.AcceptanceMode;
import dev.edgebench.speculative.AcceptanceProfile;
import dev.edgebench.speculative.CostModel;
import dev.edgebench.speculative.SpeculativeStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Speculative decoding against plain decoding, in one sample: the same target, the same seeded
 * prompts (one per sequence), greedy, {@code nGen} tokens per sequence. Then the cost model's
 * parts are measured apart (one draft step; one verify of k + 1 tokens per sequence) and its
 * prediction at the sample's α is published beside the measured speedup. Rates count the tokens
 * after the first over the time after it (the prefill and the first token are the same work in
 * both); the prefill published is the speculative one (both models' prompts + the first token).
 *
 * <p>Acceptance mode: synthetic when {@code acceptRate} is a profile, self when draft and target are
 * the same catalog model and seed, real otherwise; the mode is printed at setup and
 * follows from the benchmark's parameters. In real and self modes every sample also checks that speculative
 * output equals plain decoding's ({@link Metric#SPEC_DIVERGED}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SpeculativeBenchmark {
    /** Seed of the prompts' random tokens and of the synthetic verdicts. */
    static final long SEED = 2026;
    /** Repetitions of each cost-model part per sample. */
    static final int PROBE_REPS = 5;

    @State(Scope.Benchmark)
    public static class Session extends EngineState {
        @Param({"128"})
        public int nPrompt;
        @Param({"128"})
        public int nGen;
        /** Catalog NAME:TYPE[@SEED] or a .gguf path of the drafting model. */
        @Param({"Llama-3.2-1B:Q4_0"})
        public String draft;
        /** k: draft tokens per step. */
        @Param({"4"})
        public int draftTokens;
        /** A synthetic acceptance profile, or "none" for the models' own agreement. */
        @Param({"none"})
        public String acceptRate;

        LlamaModel targetModel;
        LlamaModel draftModel;
        SpeculativeDecoder decoder;
        AcceptanceProfile profile;
        AcceptanceMode mode;
        SplittableRandom rng;
        SpeculativeStats stats;
        int[][] prompts;
        int[][] vanillaOut;
        int[][] specOut;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            try {
                positive("nPrompt", nPrompt);
                positive("nGen", nGen);
                positive("draftTokens", draftTokens);
                openModels();
            } catch (Throwable t) {
                RunFiles.recordFailure(BenchId.of(params), t);
                closeAll();
                throw t;
            }
        }

        private void openModels() {
            Models.Ref tRef = Models.parse(model, Catalog.builtin());
            Models.Ref dRef = Models.parse(draft, Catalog.builtin());
            boolean synthetic = !acceptRate.equals(SpeculativeOptions.NO_PROFILE);
            profile = synthetic ? AcceptanceProfile.parse(acceptRate, draftTokens) : null;
            mode = AcceptanceMode.of(tRef.isCatalog() ? tRef.catalogName() : null, tRef.seed(),
                    dRef.isCatalog() ? dRef.catalogName() : null, dRef.seed(), synthetic);
            Path tFile = LlamaQuantizer.resolve(tRef);
            Path dFile = LlamaQuantizer.resolve(dRef);
            int ngl = BenchSetup.resolveGpuLayers(nGpuLayers);
            LlamaModel.Params mp = new LlamaModel.Params(ngl, 0, true, false);
            targetModel = LlamaModel.load(tFile, mp);
            draftModel = LlamaModel.load(dFile, mp);
            int nThreads = threads > 0 ? threads
                    : LlamaRuntime.get().defaultThreads(ngl, Math.min(targetModel.nLayer(), draftModel.nLayer()));
            int perSeq = nPrompt + nGen + draftTokens + 1;
            int nBatch = Math.max(batch * nPrompt, batch * (draftTokens + 1));
            GgmlType kv = GgmlType.parse(cacheType);
            LlamaContext.FlashAttn fa = LlamaContext.FlashAttn.valueOf(flashAttn.toUpperCase(Locale.ROOT));
            // poll 0: two contexts alternate on the same cores, and a threadpool that keeps spinning after its graph
            // (llama-bench's poll 50) takes the cores from the other context's threads; plain decoding runs alike
            LlamaContextParams cp = new LlamaContextParams(Math.multiplyExact(batch, perSeq), nBatch, Math.min(ubatch, nBatch),
                    batch, nThreads, nThreads, fa, kv, kv, true, false, 0, null);
            decoder = new SpeculativeDecoder(targetModel, draftModel, cp, cp, draftTokens, nPrompt);
            System.err.printf(Locale.ROOT, "speculative: %s drafting for %s, k %d, batch %d, acceptance %s%s%n", draft, model,
                    draftTokens, batch, mode.key(), profile == null ? "" : " " + profile);
            SplittableRandom promptRng = new SplittableRandom(SEED);
            int nVocab = Math.min(targetModel.nVocab(), draftModel.nVocab());
            prompts = new int[batch][nPrompt];
            for (int[] p : prompts) {
                for (int i = 0; i < nPrompt; i++) {
                    p[i] = promptRng.nextInt(nVocab);
                }
            }
            vanillaOut = new int[batch][nGen];
            specOut = new int[batch][nGen];
            stats = new SpeculativeStats(draftTokens);
            rng = new SplittableRandom(SEED);
            TokenClock.setFacts(new TokenClock.RunFacts(batch, 0, model, nThreads));
        }

        @TearDown(Level.Trial)
        public void closeAll() {
            if (decoder != null) {
                decoder.close();
            }
            if (draftModel != null) {
                draftModel.close();
            }
            if (targetModel != null) {
                targetModel.close();
            }
            decoder = null;
            draftModel = null;
            targetModel = null;
        }
    }

    @Benchmark
    public void speculate(Session s) {
        SpeculativeDecoder.Timing vanilla = s.decoder.vanilla(s.prompts, s.vanillaOut);
        s.stats.reset();
        SpeculativeDecoder.Timing spec = s.decoder.speculative(s.prompts, s.draftTokens, s.profile, s.rng, s.stats, s.specOut);
        double[] parts = s.decoder.measureParts(s.prompts, s.nGen / 2, s.draftTokens, PROBE_REPS);
        publish(s, vanilla, spec, parts);
    }

    /** The sample's figures, for the profiler. */
    static void publish(Session s, SpeculativeDecoder.Timing vanilla, SpeculativeDecoder.Timing spec, double[] parts) {
        SpeculativeStats st = s.stats;
        long after = (long) s.batch * (s.nGen - 1);
        TokenClock.addPrefill(spec.prefillNs(), (long) s.batch * s.nPrompt);
        double specTokS = after * 1e9 / spec.generateNs();
        double vanillaTokS = after * 1e9 / vanilla.generateNs();
        double vanillaStepNs = vanilla.generateNs() / (double) Math.max(1, s.nGen - 1);
        SpeculativeSink.put(Metric.SPEC_TOK_S, specTokS);
        SpeculativeSink.put(Metric.SPEC_VANILLA_TOK_S, vanillaTokS);
        SpeculativeSink.put(Metric.SPEC_SPEEDUP, specTokS / vanillaTokS);
        SpeculativeSink.put(Metric.SPEC_ALPHA, st.alpha());
        SpeculativeSink.put(Metric.SPEC_TAU, st.tau());
        SpeculativeSink.put(Metric.SPEC_DRAFT_MS, st.draftMsPerStep());
        SpeculativeSink.put(Metric.SPEC_VERIFY_MS, st.verifyMsPerStep());
        SpeculativeSink.put(Metric.SPEC_BOOKKEEPING_MS, st.bookkeepingMsPerStep());
        SpeculativeSink.put(Metric.SPEC_VANILLA_STEP_MS, vanillaStepNs / 1e6);
        SpeculativeSink.put(Metric.SPEC_PROBE_DRAFT_MS, parts[0] / 1e6);
        SpeculativeSink.put(Metric.SPEC_PROBE_VERIFY_MS, parts[1] / 1e6);
        for (int i = 0; i < s.draftTokens; i++) {
            int position = i + 1;
            Metric.alphaAtPosition(position).ifPresent(m -> SpeculativeSink.put(m, st.alphaAt(position - 1)));
        }
        // the model from the parts as they ran in the loop (draft steps taking turns with the target's verify), and
        // from the same parts timed alone: their difference is what the loop itself costs
        double draftStepNs = st.draftNs() / (double) Math.max(1, st.batchSteps()) / s.draftTokens;
        double verifyNs = st.verifyNs() / (double) Math.max(1, st.batchSteps());
        double bookkeepingNs = st.bookkeepingNs() / (double) Math.max(1, st.batchSteps());
        if (st.batchSteps() > 0 && verifyNs > 0) {
            CostModel inRun = new CostModel(s.draftTokens, s.batch, draftStepNs, verifyNs, bookkeepingNs, vanillaStepNs);
            SpeculativeSink.put(Metric.SPEC_PREDICTED_SPEEDUP, inRun.speedup(st.alpha()));
            SpeculativeSink.put(Metric.SPEC_BREAK_EVEN_ALPHA, inRun.breakEvenAlpha());
        }
        CostModel alone = new CostModel(s.draftTokens, s.batch, parts[0], parts[1], 0, vanillaStepNs);
        SpeculativeSink.put(Metric.SPEC_PREDICTED_ALONE, alone.speedup(st.alpha()));
        SpeculativeSink.put(Metric.SPEC_BREAK_EVEN_ALONE, alone.breakEvenAlpha());
        if (s.profile == null) {
            int diverged = 0;
            for (int q = 0; q < s.batch; q++) {
                if (!Arrays.equals(s.vanillaOut[q], s.specOut[q])) {
                    diverged++;
                }
            }
            SpeculativeSink.put(Metric.SPEC_DIVERGED, diverged);
        }
    }
}
