package dev.edgebench.engine.request;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;

import dev.edgebench.TestSupport;
import dev.edgebench.engine.llama.LlamaBatch;
import dev.edgebench.engine.llama.LlamaContext;
import dev.edgebench.engine.llama.LlamaContextParams;
import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.ModelForge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The llama implementation of the request ABI ({@code libedgebench_request_llama.so}) on the
 * forged tiny model: one request at a time, its greedy tokens equal those of the step engine's
 * own decode loop ({@link LlamaContext}) for the same prompt; four requests in one running batch
 * each get their one-at-a-time tokens; a prompt longer than a slot's context fails alone.
 */
@Tag("native")
class AbiRequestEngineLlamaNativeTest {
    private static final int N_GEN = 16;
    private static final int THREADS = 2;
    private static final int UBATCH = 64;
    private static final int CTX_PER_SLOT = 256;

    @TempDir
    static Path cache;
    private static Path model;
    private static int[][] prompts;

    @BeforeAll
    static void forge() {
        model = TestSupport.forge(cache, TestSupport.TINY, "F16", ModelForge.DEFAULT_SEED);
        SplittableRandom r = new SplittableRandom(2026);
        int[] lengths = {9, 40, 64, 23};
        prompts = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            prompts[i] = r.ints(lengths[i], 1, 30000).toArray();
        }
    }

    /** The step engine's greedy loop: one decode of the whole prompt, then one token per decode. */
    private static int[] stepEngineTokens(int[] prompt) {
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu())) {
            LlamaContextParams p = new LlamaContextParams(CTX_PER_SLOT, UBATCH, UBATCH, 1, THREADS, THREADS,
                    LlamaContext.FlashAttn.AUTO, GgmlType.F16, GgmlType.F16, true, false, 50, null);
            try (LlamaContext ctx = m.newContext(p); LlamaBatch batch = new LlamaBatch(UBATCH, 1)) {
                for (int i = 0; i < prompt.length; i++) {
                    batch.add(prompt[i], i, 0, i == prompt.length - 1);
                }
                int[] out = new int[N_GEN];
                int pos = prompt.length;
                for (int n = 0; n < N_GEN; n++) {
                    ctx.decode(batch);
                    out[n] = ctx.sampleGreedy(-1);
                    batch.clear();
                    batch.add(out[n], pos++, 0, true);
                }
                return out;
            }
        }
    }

    private static AbiRequestEngine open(int slots) {
        return AbiRequestEngine.open(RequestBackend.LLAMA, model, RequestEngineConfig.llama(slots, CTX_PER_SLOT, UBATCH, THREADS, 0), 16, 64);
    }

    /** Polls until every request has its final event; returns each request's tokens (bounded). */
    private static List<List<Integer>> collect(AbiRequestEngine e, long[] ids, FinishReason[] reasons, boolean[] errors) {
        PolledEvents ev = new PolledEvents(16, 64);
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            out.add(new ArrayList<>());
        }
        int finals = 0;
        for (int polls = 0; finals < ids.length && polls < 2000; polls++) {
            int n = e.poll(100, ev);
            for (int k = 0; k < n; k++) {
                int i = 0;
                while (ids[i] != ev.requestId(k)) {
                    i++;
                }
                assertEquals(i, ev.clientTag(k), "client tag of request " + ids[i]);
                for (int t = 0; t < ev.tokenCount(k); t++) {
                    out.get(i).add(ev.token(ev.tokenOffset(k) + t));
                }
                if (ev.tokenCount(k) > 0) {
                    assertTrue(ev.hasPerf(k) && ev.firstTokenNs(k) >= ev.firstScheduledNs(k)
                            && ev.firstScheduledNs(k) >= ev.arrivalNs(k) && ev.recvNs(k) >= ev.firstTokenNs(k), "engine times in order");
                }
                if (ev.isFinal(k)) {
                    finals++;
                    reasons[i] = ev.finishReason(k);
                    errors[i] = ev.hasError(k);
                }
            }
        }
        assertEquals(ids.length, finals, "every request ended");
        return out;
    }

    private static List<Integer> list(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    @Test
    void oneAtATimeEqualsTheStepEngineAndFourInOneBatchEqualOneAtATime() throws java.io.IOException {
        List<List<Integer>> reference = new ArrayList<>();
        for (int[] p : prompts) {
            reference.add(list(stepEngineTokens(p)));
        }
        List<List<Integer>> single = new ArrayList<>();
        try (AbiRequestEngine e = open(1)) {
            assertTrue(e.backendVersion().startsWith("llama.cpp "), e.backendVersion());
            for (int i = 0; i < prompts.length; i++) {
                long[] id = {e.submit(RequestSpec.greedy(prompts[i], N_GEN, 0))};
                FinishReason[] reason = new FinishReason[1];
                List<Integer> got = collect(e, id, reason, new boolean[1]).getFirst();
                assertEquals(FinishReason.LENGTH, reason[0]);
                single.add(got);
            }
        }
        assertEquals(reference, single, "greedy tokens at concurrency 1 vs the step engine");

        try (AbiRequestEngine e = open(4)) {
            long[] ids = new long[prompts.length];
            for (int i = 0; i < prompts.length; i++) {
                ids[i] = e.submit(RequestSpec.greedy(prompts[i], N_GEN, i));
            }
            FinishReason[] reasons = new FinishReason[ids.length];
            List<List<Integer>> batched = collect(e, ids, reasons, new boolean[ids.length]);
            assertEquals(single, batched, "each request's tokens at concurrency 4 vs concurrency 1");
            String stats = e.iterationStatsJson();
            assertTrue(stats.contains("\"backend\":\"llama\"") && stats.contains("\"slots\":4")
                    && stats.contains("\"generatedTokensTotal\":" + prompts.length * N_GEN), stats);
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats);
            long decodeNs = tree.get("decodeNsTotal").asLong();
            long sampleNs = tree.get("sampleNsTotal").asLong();
            assertTrue(decodeNs > 0 && sampleNs > 0 && sampleNs < decodeNs,
                    "choosing greedy tokens is timed apart from the decode, and costs less: " + stats);
            long recentSample = 0;
            for (var r : tree.get("recent")) {
                recentSample += r.get("sampleNs").asLong();
            }
            assertTrue(recentSample > 0 && recentSample <= sampleNs, stats);
        }
    }

    @Test
    void aPromptLongerThanItsSlotFailsAloneAndCancellationEndsARequest() {
        try (AbiRequestEngine e = open(2)) {
            int[] tooLong = new SplittableRandom(1).ints(CTX_PER_SLOT + 10, 1, 30000).toArray();
            long[] ids = {e.submit(RequestSpec.greedy(tooLong, 4, 0)), e.submit(RequestSpec.greedy(prompts[0], N_GEN, 1))};
            FinishReason[] reasons = new FinishReason[2];
            boolean[] errors = new boolean[2];
            List<List<Integer>> got = collect(e, ids, reasons, errors);
            assertTrue(errors[0], "the long prompt fails");
            String text = e.errorText(ids[0]);
            assertTrue(text.contains(Integer.toString(CTX_PER_SLOT + 10)) && text.contains(Integer.toString(CTX_PER_SLOT)), text);
            assertEquals(N_GEN, got.get(1).size(), "the other request finishes");

            long[] one = {e.submit(RequestSpec.greedy(prompts[1], 100_000, 0))};
            assertTrue(e.cancel(one[0]));
            FinishReason[] r = new FinishReason[1];
            collect(e, one, r, new boolean[1]);
            assertEquals(FinishReason.CANCELLED, r[0]);
        }
    }
}
