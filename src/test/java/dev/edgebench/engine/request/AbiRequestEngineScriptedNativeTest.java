package dev.edgebench.engine.request;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;

import dev.edgebench.TestSupport;
import dev.edgebench.bindings.request.EdgebenchRequest;
import dev.edgebench.engine.llama.NativeLibraries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java side of the request ABI against the scripted test double of the native build
 * ({@code libedgebench_request_scripted.so}): multi-token chunks, token-less finals, errors,
 * refused submits, cancellation, a full event buffer, an event larger than the token buffer, the
 * clock, close twice, and the library's exports.
 */
@Tag("native")
class AbiRequestEngineScriptedNativeTest {
    private static final int[] PROMPT = {5, 6, 7};

    @TempDir
    static Path dir;
    private static Path library;

    @BeforeAll
    static void locate() {
        library = NativeLibraries.locate("libedgebench_request_scripted.so");
    }

    private static AbiRequestEngine open(String script, int eventCapacity, int tokenCapacity) throws IOException {
        Path p = Files.createTempFile(dir, "script", ".txt");
        Files.writeString(p, script);
        return AbiRequestEngine.open(library, p.toString(), RequestEngineConfig.defaults(), eventCapacity, tokenCapacity);
    }

    /** One request's events, gathered across polls. */
    private record Seen(List<Integer> tokens, List<Integer> chunkSizes, FinishReason reason, boolean error, boolean perf) {
    }

    /** Polls until every id in {@code ids} has its final event (bounded). */
    private static List<Seen> drain(AbiRequestEngine e, PolledEvents ev, long... ids) {
        List<List<Integer>> toks = new ArrayList<>();
        List<List<Integer>> chunks = new ArrayList<>();
        FinishReason[] reasons = new FinishReason[ids.length];
        boolean[] errors = new boolean[ids.length];
        boolean[] perf = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            toks.add(new ArrayList<>());
            chunks.add(new ArrayList<>());
        }
        int finals = 0;
        for (int polls = 0; finals < ids.length && polls < 200; polls++) {
            int n = e.poll(20, ev);
            for (int k = 0; k < n; k++) {
                int i = indexOf(ids, ev.requestId(k));
                for (int t = 0; t < ev.tokenCount(k); t++) {
                    toks.get(i).add(ev.token(ev.tokenOffset(k) + t));
                }
                chunks.get(i).add(ev.tokenCount(k));
                perf[i] |= ev.hasPerf(k);
                if (ev.isFinal(k)) {
                    finals++;
                    reasons[i] = ev.finishReason(k);
                    errors[i] = ev.hasError(k);
                }
            }
        }
        assertEquals(ids.length, finals, "final events of " + Arrays.toString(ids));
        List<Seen> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            out.add(new Seen(toks.get(i), chunks.get(i), reasons[i], errors[i], perf[i]));
        }
        return out;
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("an event for request " + id + ", which was not submitted here");
    }

    @Test
    void chunksTokenlessFinalsErrorsAndRefusals() throws IOException {
        String script = """
                request 1
                perf
                tokens 11 12 13
                tokens 14
                final end_id
                request 2
                tokens 21
                error the engine failed on request 2
                reject 3 -7 queue full
                """;
        try (AbiRequestEngine e = open(script, 8, 16)) {
            PolledEvents ev = new PolledEvents(8, 16);
            long a = e.submit(RequestSpec.greedy(PROMPT, 8, 100));
            long b = e.submit(RequestSpec.greedy(PROMPT, 8, 200));
            RequestEngineException refused = assertThrows(RequestEngineException.class, () -> e.submit(RequestSpec.greedy(PROMPT, 8, 300)));
            assertEquals(EdgebenchRequest.EBR_ERR_BUSY(), refused.code());
            assertTrue(refused.getMessage().contains("queue full") && refused.getMessage().contains("EBR_ERR_BUSY"), refused.getMessage());

            List<Seen> seen = drain(e, ev, a, b);
            assertEquals(List.of(11, 12, 13, 14), seen.get(0).tokens());
            assertEquals(List.of(3, 1, 0), seen.get(0).chunkSizes(), "a 3-token chunk, a 1-token chunk, a token-less final");
            assertEquals(FinishReason.END_ID, seen.get(0).reason());
            assertTrue(seen.get(0).perf());
            assertFalse(seen.get(0).error());
            assertEquals(List.of(21), seen.get(1).tokens(), "tokens before the error are kept");
            assertTrue(seen.get(1).error());
            assertEquals(FinishReason.UNKNOWN, seen.get(1).reason());
            assertEquals("the engine failed on request 2", e.errorText(b));
            assertNull(e.errorText(a), "request 1 never failed");
            assertEquals("", e.errorText(0), "the engine itself has not failed");
            assertTrue(e.iterationStatsJson().contains("\"scripted\""), e.iterationStatsJson());
        }
    }

    @Test
    void cancellationEndsAHeldRequestWithATokenlessFinal() throws IOException {
        try (AbiRequestEngine e = open("request 1\ntokens 41\nhold\n", 4, 4)) {
            PolledEvents ev = new PolledEvents(4, 4);
            long id = e.submit(RequestSpec.greedy(PROMPT, 8, 7));
            assertEquals(1, e.poll(100, ev));
            assertEquals(41, ev.token(0));
            assertFalse(ev.isFinal(0));
            assertEquals(0, e.poll(30, ev), "held: nothing until cancelled");
            assertTrue(e.cancel(id));
            List<Seen> seen = drain(e, ev, id);
            assertEquals(FinishReason.CANCELLED, seen.get(0).reason());
            assertEquals(List.of(0), seen.get(0).chunkSizes());
            assertFalse(e.cancel(id), "already ended");
            assertFalse(e.cancel(999), "never submitted");
        }
    }

    @Test
    void aFullEventBufferAndAnEventLargerThanTheTokenBufferLoseNothing() throws IOException {
        // request 1 (no script): 12 one-token events at once; request 2: one event of 40 tokens
        StringBuilder big = new StringBuilder("request 2\ntokens");
        for (int t = 1; t <= 40; t++) {
            big.append(' ').append(t);
        }
        big.append("\nfinal length\n");
        try (AbiRequestEngine e = open(big.toString(), 5, 8)) {
            PolledEvents ev = new PolledEvents(5, 8);
            long a = e.submit(RequestSpec.greedy(PROMPT, 12, 1));
            long b = e.submit(RequestSpec.greedy(PROMPT, 8, 2));
            int first = e.poll(100, ev);
            assertEquals(5, first, "five events fit the event buffer; the rest wait");
            for (int k = 0; k < first; k++) {
                assertEquals(a, ev.requestId(k));
                assertEquals(k + 1, ev.token(ev.tokenOffset(k)));
            }
            List<Seen> seen = new ArrayList<>(drain(e, ev, a, b));
            assertEquals(List.of(6, 7, 8, 9, 10, 11, 12), seen.get(0).tokens(), "the events that waited, in order");
            assertEquals(FinishReason.LENGTH, seen.get(0).reason());
            List<Integer> expected = new ArrayList<>();
            for (int t = 1; t <= 40; t++) {
                expected.add(t);
            }
            assertEquals(expected, seen.get(1).tokens(), "the 40-token event arrives whole after the token buffer grew");
            assertEquals(List.of(40, 0), seen.get(1).chunkSizes());
        }
    }

    @Test
    void nowNsIsTheClockOfSystemNanoTime() throws IOException {
        try (AbiRequestEngine e = open("", 1, 1)) {
            long before = System.nanoTime();
            long lib = e.nowNs();
            long after = System.nanoTime();
            assertTrue(before <= lib && lib <= after, "System.nanoTime " + before + " <= ebr_now_ns " + lib + " <= " + after);
            long submitted = System.nanoTime();
            long id = e.submit(RequestSpec.greedy(PROMPT, 1, 0));
            PolledEvents ev = new PolledEvents(1, 1);
            assertEquals(1, e.poll(100, ev));
            assertEquals(id, ev.requestId(0));
            assertTrue(ev.recvNs(0) >= submitted && ev.recvNs(0) <= System.nanoTime(), "recvNs on the same clock: " + ev.recvNs(0));
        }
    }

    @Test
    void badScriptsAndClosedEnginesGiveClearErrors() throws IOException {
        RequestEngineException missing = assertThrows(RequestEngineException.class,
                () -> AbiRequestEngine.open(library, dir.resolve("no-such-script").toString(), RequestEngineConfig.defaults(), 1, 1));
        assertEquals(EdgebenchRequest.EBR_ERR_LOAD(), missing.code());
        assertTrue(missing.getMessage().contains("no-such-script"), missing.getMessage());
        RequestEngineException bad = assertThrows(RequestEngineException.class, () -> open("request 1\nwobble 3\n", 1, 1));
        assertTrue(bad.getMessage().contains("line 2") && bad.getMessage().contains("unknown directive"), bad.getMessage());

        AbiRequestEngine e = open("", 1, 1);
        e.close();
        e.close();  // the second close is a no-op
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> e.submit(RequestSpec.greedy(PROMPT, 1, 0)));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RequestSpec.greedy(new int[0], 1, 0));
    }

    @Test
    void theLibraryExportsExactlyTheFunctionsOfTheHeader() throws IOException {
        TestSupport.Result nm = TestSupport.run(List.of("nm", "-D", "--defined-only", library.toString()), 30);
        assertEquals(0, nm.exitCode(), nm::toString);
        Set<String> exported = new TreeSet<>();
        for (String line : nm.stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && (f[1].equals("T") || f[1].equals("W"))) {
                exported.add(f[2].replaceAll("@.*", ""));
            }
        }
        Set<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("EBR_API\\s+\\w+\\s+\\*?(ebr_\\w+)\\(")
                .matcher(Files.readString(TestSupport.projectDir().resolve("native/shim/edgebench_request.h")));
        while (m.find()) {
            declared.add(m.group(1));
        }
        assertEquals(declared, exported);
        try (AbiRequestEngine e = open("", 1, 1)) {
            assertTrue(e.has(EdgebenchRequest.EBR_CAP_TEST_DOUBLE()));
            assertEquals("scripted test double", e.backendVersion());
        }
    }
}
