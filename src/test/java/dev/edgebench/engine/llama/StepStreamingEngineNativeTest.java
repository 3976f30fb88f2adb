package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.engine.StreamingEngineProvider;
import dev.edgebench.engine.request.AbiRequestEngine;
import dev.edgebench.engine.request.RequestBackend;
import dev.edgebench.engine.request.RequestEngineConfig;
import dev.edgebench.model.ModelForge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code llama-step}, the step engine serving requests one at a time, on the forged tiny model: its
 * greedy tokens equal the in-flight batching engine's (llama-batched) for the same prompts; requests
 * submitted together are served in order, each scheduled after the one before it ended; a queued and a
 * running request can be cancelled; what it cannot serve is refused at submit, named.
 */
@Tag("native")
class StepStreamingEngineNativeTest {
    private static final int N_GEN = 12;
    private static final int CTX = 256;

    @TempDir
    static Path cache;
    private static Path model;
    private static int[][] prompts;

    @BeforeAll
    static void forge() {
        model = TestSupport.forge(cache, TestSupport.TINY, "F16", ModelForge.DEFAULT_SEED);
        SplittableRandom r = new SplittableRandom(2026);
        int[] lengths = {9, 40, 23};
        prompts = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            prompts[i] = r.ints(lengths[i], 1, 30000).toArray();
        }
    }

    private static StreamingEngineOptions options() {
        return new StreamingEngineOptions("edgebench-tiny:F16", model, 4, CTX, 64, 2, 0, "auto", "f16");
    }

    /** One request's events, as polled. */
    private record Seen(List<Integer> tokens, FinishReason reason, boolean error, long firstSchedNs, long finalNs) {
    }

    private static List<Seen> collect(StreamingEngine e, long[] ids) {
        PolledEvents ev = new PolledEvents(e.eventCapacity(), 64);
        List<List<Integer>> toks = new ArrayList<>();
        Seen[] seen = new Seen[ids.length];
        for (int i = 0; i < ids.length; i++) {
            toks.add(new ArrayList<>());
        }
        int finals = 0;
        for (int polls = 0; finals < ids.length && polls < 2000; polls++) {
            int n = e.poll(100, ev);
            for (int k = 0; k < n; k++) {
                int i = 0;
                while (ids[i] != ev.requestId(k)) {
                    i++;
                }
                for (int t = 0; t < ev.tokenCount(k); t++) {
                    toks.get(i).add(ev.token(ev.tokenOffset(k) + t));
                }
                if (ev.isFinal(k)) {
                    finals++;
                    seen[i] = new Seen(toks.get(i), ev.finishReason(k), ev.hasError(k), ev.firstScheduledNs(k), ev.recvNs(k));
                    assertTrue(ev.hasError(k) || !ev.hasPerf(k) || ev.firstTokenNs(k) >= ev.firstScheduledNs(k)
                            && ev.firstScheduledNs(k) >= ev.arrivalNs(k), "times in order");
                }
            }
        }
        assertEquals(ids.length, finals, "every request ended");
        return List.of(seen);
    }

    @Test
    void itsTokensAreTheBatchingEnginesAndRequestsAreServedInTurn() {
        List<List<Integer>> batched = new ArrayList<>();
        try (AbiRequestEngine e = AbiRequestEngine.open(RequestBackend.LLAMA, model, RequestEngineConfig.llama(3, CTX, 64, 2, 0), 16, 64)) {
            long[] ids = new long[prompts.length];
            for (int i = 0; i < prompts.length; i++) {
                ids[i] = e.submit(RequestSpec.greedy(prompts[i], N_GEN, i));
            }
            collect(e, ids).forEach(s -> batched.add(s.tokens()));
        }
        StreamingEngineProvider p = StreamingEngineProvider.forSpec("llama-step");
        assertTrue(p.preflight("llama-step").loadsRunModel());
        try (StreamingEngine e = p.open("llama-step", options())) {
            long[] ids = new long[prompts.length];
            for (int i = 0; i < prompts.length; i++) {
                ids[i] = e.submit(RequestSpec.greedy(prompts[i], N_GEN, i));
            }
            List<Seen> seen = collect(e, ids);
            for (int i = 0; i < prompts.length; i++) {
                assertEquals(batched.get(i), seen.get(i).tokens(), "request " + i + ": llama-step vs llama-batched");
                assertEquals(FinishReason.LENGTH, seen.get(i).reason());
                if (i > 0) {
                    assertTrue(seen.get(i).firstSchedNs() >= seen.get(i - 1).finalNs(), "request " + i + " waited for the one before");
                }
            }
            // non-streaming: one final event with every token
            long id = e.submit(new RequestSpec(prompts[0], N_GEN, false, -1, -1, 0f, 0, 0f, false, 0, 0));
            Seen one = collect(e, new long[] {id}).getFirst();
            assertEquals(batched.getFirst(), one.tokens());
            // an end id stops right after it
            int stopAt = batched.getFirst().get(3);
            id = e.submit(new RequestSpec(prompts[0], N_GEN, true, stopAt, -1, 0f, 0, 0f, false, 0, 0));
            Seen ended = collect(e, new long[] {id}).getFirst();
            assertEquals(FinishReason.END_ID, ended.reason());
            assertEquals(stopAt, (int) ended.tokens().getLast());
        }
    }

    /**
     * Tokens chosen in the graph (llama.cpp's backend sampling, forced here on the CPU build, where
     * "auto" chooses on the host) are the host's tokens, and the iteration statistics say where they
     * were chosen and how many; a setting it does not know is refused before a model loads.
     */
    @Test
    void tokensChosenInTheGraphAreTheHostsAndTheStatisticsSaySo() {
        List<List<Integer>> host = new ArrayList<>();
        for (String where : List.of("host", "device")) {
            System.setProperty(StepStreamingEngine.SAMPLING_PROPERTY, where);
            try (StepStreamingEngine e = new StepStreamingEngine(options())) {
                assertEquals(where.equals("device"), e.choosesOnDevice(), where);
                long[] ids = new long[prompts.length];
                for (int i = 0; i < prompts.length; i++) {
                    ids[i] = e.submit(RequestSpec.greedy(prompts[i], N_GEN, i));
                }
                List<Seen> seen = collect(e, ids);
                for (int i = 0; i < prompts.length; i++) {
                    if (where.equals("host")) {
                        host.add(seen.get(i).tokens());
                    } else {
                        assertEquals(host.get(i), seen.get(i).tokens(), "request " + i + ": chosen in the graph vs on the host");
                    }
                }
                dev.edgebench.load.EngineIterations it = dev.edgebench.load.EngineIterations.parse(e.iterationStatsJson());
                assertEquals((long) prompts.length * N_GEN, it.generated(), e.iterationStatsJson());
                assertEquals(where.equals("device") ? it.generated() : 0, it.onDevice(), e.iterationStatsJson());
                assertTrue(e.iterationStatsJson().contains("\"sampling\":\"" + where + "\""), e.iterationStatsJson());
                // each request: its prompt in one call, then a call per token but the last
                assertEquals((long) prompts.length * N_GEN, it.iterations(), e.iterationStatsJson());
                assertTrue(it.decodeNs() > 0 && it.sampleNs() > 0, e.iterationStatsJson());
            } finally {
                System.clearProperty(StepStreamingEngine.SAMPLING_PROPERTY);
            }
        }
        System.setProperty(StepStreamingEngine.SAMPLING_PROPERTY, "gpu");
        try {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new StepStreamingEngine(options()));
            assertEquals(StepStreamingEngine.SAMPLING_PROPERTY + " is 'gpu'; it takes host, device or auto", bad.getMessage());
        } finally {
            System.clearProperty(StepStreamingEngine.SAMPLING_PROPERTY);
        }
    }

    @Test
    void queuedAndRunningRequestsCanBeCancelledAndBadRequestsAreRefused() {
        try (StreamingEngine e = new StepStreamingEngine(options())) {
            long running = e.submit(RequestSpec.greedy(prompts[1], CTX - prompts[1].length - 1, 0));
            long queued = e.submit(RequestSpec.greedy(prompts[2], N_GEN, 1));
            assertTrue(e.cancel(queued), "a queued request");
            PolledEvents ev = new PolledEvents(e.eventCapacity(), 64);
            boolean started = false;
            for (int polls = 0; !started && polls < 200; polls++) {
                started = e.poll(100, ev) > 0 && ev.requestId(0) == running && ev.tokenCount(0) > 0;
            }
            assertTrue(started, "the first request streams");
            assertTrue(e.cancel(running), "a running request");
            List<Seen> seen = collect(e, new long[] {running, queued});
            assertEquals(FinishReason.CANCELLED, seen.get(0).reason());
            assertEquals(FinishReason.CANCELLED, seen.get(1).reason());
            assertTrue(seen.get(1).tokens().isEmpty(), "the queued request produced nothing");
            assertFalse(e.cancel(running), "cancel after the end");

            IllegalArgumentException sampled = assertThrows(IllegalArgumentException.class,
                    () -> e.submit(new RequestSpec(prompts[0], 4, true, -1, -1, 0.8f, 40, 0.95f, true, 7, 0)));
            assertTrue(sampled.getMessage().contains("greedily only"), sampled.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> e.submit(RequestSpec.greedy(new int[CTX], 4, 0)));
            assertTrue(tooLong.getMessage().contains("does not fit the context of " + CTX), tooLong.getMessage());
            IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                    () -> e.submit(RequestSpec.greedy(new int[] {1, -3}, 4, 0)));
            assertTrue(vocab.getMessage().contains("prompt token 1 is -3"), vocab.getMessage());
        }
    }
}
