package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import dev.edgebench.speculative.AcceptanceProfile;
import dev.edgebench.speculative.SpeculativeStats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculative decoding with greedy verification emits exactly the tokens plain greedy decoding
 * of the target emits, whatever the draft agrees on: the target itself (α = 1), the same seeded
 * weights at another precision (partial agreement), unrelated weights (α ≈ 0), for several k and
 * batches. And the refusals: an incompatible vocabulary is named.
 */
@Tag("native")
class SpeculativeDecoderNativeTest {
    private static final int N_PROMPT = 12;
    private static final int N_GEN = 40;

    @TempDir
    static Path cache;
    static Path targetF16;
    static Path draftQ4;
    static Path otherSeed;

    @BeforeAll
    static void forge() {
        targetF16 = TestSupport.forge(cache, TestSupport.TINY, "F16", 2026);
        draftQ4 = TestSupport.forge(cache, TestSupport.TINY, "Q4_0", 2026);
        otherSeed = TestSupport.forge(cache, TestSupport.TINY, "Q8_0", 7);
    }

    static int[][] prompts(int nSeq, int nVocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] p = new int[nSeq][N_PROMPT];
        for (int[] row : p) {
            for (int i = 0; i < row.length; i++) {
                row[i] = r.nextInt(100, nVocab);
            }
        }
        return p;
    }

    static LlamaContextParams params(int nSeq, int k) {
        return params(nSeq, k, N_GEN);
    }

    static LlamaContextParams params(int nSeq, int k, int nGen) {
        int perSeq = N_PROMPT + nGen + k + 1;
        int nBatch = Math.max(nSeq * N_PROMPT, nSeq * (k + 1));
        return LlamaContextParams.of(nSeq * perSeq, nSeq, 2).withBatch(nBatch, nBatch);
    }

    /** @return α of the run; asserts the tokens equal vanilla's */
    static double sameAsVanilla(Path draftFile, int nSeq, int k) {
        try (LlamaModel target = LlamaModel.load(targetF16, LlamaModel.Params.cpu());
             LlamaModel draft = LlamaModel.load(draftFile, LlamaModel.Params.cpu());
             SpeculativeDecoder dec = new SpeculativeDecoder(target, draft, params(nSeq, k), params(nSeq, k), k, N_PROMPT)) {
            int[][] prompts = prompts(nSeq, target.nVocab(), 42 + nSeq);
            int[][] vanilla = new int[nSeq][N_GEN];
            int[][] spec = new int[nSeq][N_GEN];
            dec.vanilla(prompts, vanilla);
            SpeculativeStats stats = new SpeculativeStats(k);
            dec.speculative(prompts, k, null, null, stats, spec);
            for (int s = 0; s < nSeq; s++) {
                assertArrayEquals(vanilla[s], spec[s], "sequence " + s + " of " + nSeq + ", k " + k + ", draft "
                        + draftFile.getFileName() + ": vanilla " + Arrays.toString(vanilla[s]) + " speculative "
                        + Arrays.toString(spec[s]));
            }
            assertTrue(stats.sequenceSteps() > 0);
            return stats.alpha();
        }
    }

    @Test
    void selfDraftAcceptsEverythingAndMatchesVanilla() {
        for (int k : new int[] {1, 4}) {
            assertEquals(1.0, sameAsVanilla(targetF16, 1, k), 1e-9, "the target drafting for itself agrees everywhere");
        }
        assertEquals(1.0, sameAsVanilla(targetF16, 3, 3), 1e-9);
    }

    @Test
    void lowerPrecisionDraftMatchesVanilla() {
        for (int k : new int[] {2, 5}) {
            double alpha = sameAsVanilla(draftQ4, 1, k);
            assertTrue(alpha >= 0 && alpha <= 1, "alpha " + alpha);
        }
        sameAsVanilla(draftQ4, 4, 3);
    }

    @Test
    void unrelatedDraftMatchesVanilla() {
        sameAsVanilla(otherSeed, 1, 3);
        sameAsVanilla(otherSeed, 2, 6);
    }

    @Test
    void syntheticAcceptanceDrivesTheVerdictWhileTheModelsWork() {
        int k = 4;
        try (LlamaModel target = LlamaModel.load(targetF16, LlamaModel.Params.cpu());
             LlamaModel draft = LlamaModel.load(otherSeed, LlamaModel.Params.cpu());
             SpeculativeDecoder dec = new SpeculativeDecoder(target, draft, params(2, k), params(2, k), k, N_PROMPT)) {
            SpeculativeStats stats = new SpeculativeStats(k);
            int[][] out = new int[2][N_GEN];
            dec.speculative(prompts(2, target.nVocab(), 1), k, AcceptanceProfile.parse("1", k), new SplittableRandom(3), stats, out);
            assertEquals(1.0, stats.alpha(), 1e-9, "a profile of 1 accepts every draft token");
            stats.reset();
            dec.speculative(prompts(2, target.nVocab(), 1), k, AcceptanceProfile.parse("0", k), new SplittableRandom(3), stats, out);
            assertEquals(0.0, stats.alpha(), 1e-9);
            assertEquals(1.0, stats.tau(), 1e-9, "nothing accepted: one token (the target's) per step");
            assertEquals(2L * (N_GEN - 1), stats.sequenceSteps());
        }
    }

    /** The measured α, overall and per position, falls in the requested profile's interval (z = 3.29, 99.9%). */
    @Test
    void syntheticAlphaMatchesTheProfileWithinItsInterval() {
        int k = 4;
        int nSeq = 4;
        int nGen = 300;
        AcceptanceProfile profile = AcceptanceProfile.parse("0.9,0.7,0.4,0.2", k);
        try (LlamaModel target = LlamaModel.load(targetF16, LlamaModel.Params.cpu());
             LlamaModel draft = LlamaModel.load(draftQ4, LlamaModel.Params.cpu());
             SpeculativeDecoder dec = new SpeculativeDecoder(target, draft, params(nSeq, k, nGen), params(nSeq, k, nGen), k,
                     N_PROMPT)) {
            SpeculativeStats stats = new SpeculativeStats(k);
            dec.speculative(prompts(nSeq, target.nVocab(), 9), k, profile, new SplittableRandom(2026), stats,
                    new int[nSeq][nGen]);
            long n = stats.sequenceSteps();
            assertTrue(n > 300, "sequence-steps " + n);
            double[] ci = profile.alphaInterval(n, 3.29);
            assertTrue(stats.alpha() >= ci[0] && stats.alpha() <= ci[1], "alpha " + stats.alpha() + " outside " + ci[0] + ".." + ci[1]);
            for (int i = 0; i < k; i++) {
                double[] pi = profile.positionInterval(i, n, 3.29);
                assertTrue(stats.alphaAt(i) >= pi[0] && stats.alphaAt(i) <= pi[1], "position " + i + ": " + stats.alphaAt(i)
                        + " outside " + pi[0] + ".." + pi[1]);
            }
        }
    }

    @Test
    void costProbeMeasuresPositiveTimes() {
        try (LlamaModel target = LlamaModel.load(targetF16, LlamaModel.Params.cpu());
             LlamaModel draft = LlamaModel.load(draftQ4, LlamaModel.Params.cpu());
             SpeculativeDecoder dec = new SpeculativeDecoder(target, draft, params(2, 3), params(2, 3), 3, N_PROMPT)) {
            double[] parts = dec.measureParts(prompts(2, target.nVocab(), 5), N_GEN / 2, 3, 3);
            assertTrue(parts[0] > 0 && parts[1] > 0, Arrays.toString(parts));
        }
    }

    @Test
    void incompatibleVocabularyIsNamed() {
        Path qwen = TestSupport.vocabDir().resolve("ggml-vocab-qwen2.gguf");
        try (LlamaModel target = LlamaModel.load(targetF16, LlamaModel.Params.cpu());
             LlamaModel vocabOnly = LlamaModel.load(qwen, new LlamaModel.Params(0, 0, true, true))) {
            String d = VocabularyCheck.difference(target, vocabOnly).orElseThrow();
            assertTrue(d.contains("vocabulary type differs") || d.contains("vocabulary size differs"), d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VocabularyCheck.require(target, vocabOnly));
            assertTrue(e.getMessage().contains("cannot draft for target"), e.getMessage());
            assertTrue(VocabularyCheck.difference(target, target).isEmpty());
        }
    }
}
