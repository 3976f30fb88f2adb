package dev.edgebench.latency;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Goodput under SLOs against a hand-computed batch, and the --slo syntax. */
class GoodputTest {
    private static final long MS = 1_000_000;

    /** A request scheduled at {@code at} ms with its first token after {@code ttft} ms and then one token every {@code gap} ms. */
    private static RequestTimeline request(long at, long ttft, long gap, int tokens, boolean failed) {
        RequestTimeline t = new RequestTimeline(tokens);
        t.reset(at * MS);
        t.sent(at * MS);
        for (int i = 0; i < tokens; i++) {
            t.chunk((at + ttft + i * gap) * MS, 1);
        }
        t.finish((at + ttft + (tokens - 1) * gap) * MS, failed);
        return t;
    }

    @Test
    void goodputCountsRequestsMeetingEveryObjective() {
        // SLO: TTFT <= 200 ms and TPOT <= 50 ms
        List<RequestTimeline> batch = List.of(
                request(0, 150, 40, 11, false),     // TTFT 150, TPOT 40: good; ends at 550
                request(100, 250, 40, 11, false),   // TTFT 250: bad; ends at 750
                request(200, 100, 60, 11, false),   // TPOT 60: bad; ends at 900
                request(300, 200, 50, 11, false),   // exactly at both limits: good; ends at 1000
                request(400, 100, 10, 1, false),    // one token: no TPOT, TTFT ok: good; ends at 500
                request(500, 100, 10, 5, true));    // failed: never good; ends at 640
        Slo slo = Slo.parse("ttft=200ms,tpot=50ms");
        RequestMetrics.BatchStats s = RequestMetrics.batch(batch, slo);
        assertEquals(6, s.requests());
        assertEquals(3, s.good());
        assertEquals(1, s.failed());
        assertEquals(1000 * MS, s.durationNs(), "first scheduled start (0) to the last end (1000 ms)");
        assertEquals(3.0, s.goodputPerS(), 1e-9);
        assertEquals(0.5, s.goodFraction(), 1e-12);
        assertEquals(1 / 6.0, s.errorRate(), 1e-12);
        assertEquals(5.0, s.requestsPerS(), 1e-9);
        assertEquals(11 * 4 + 1 + 5, s.outputTokens());
        assertEquals(6, RequestMetrics.batch(batch, Slo.NONE).requests());
        assertEquals(5, RequestMetrics.batch(batch, Slo.NONE).good(), "without objectives every successful request is good");
        assertEquals(2, RequestMetrics.batch(batch, Slo.parse("e2e=0.6s")).good(), "E2E within 600 ms: the first (550 ms) and the"
                + " one-token request (100 ms)");
    }

    @Test
    void sloSyntax() {
        Slo s = Slo.parse("ttft=200ms, tpot=50ms,e2el=2s");
        assertEquals(200 * MS, s.ttftNs());
        assertEquals(50 * MS, s.tpotNs());
        assertEquals(2000 * MS, s.e2eNs());
        assertEquals("ttft=200ms,tpot=50ms,e2e=2000ms", s.toString());
        assertEquals(s, Slo.parse(s.toString()));
        assertEquals(Slo.parse("ttft=1500us"), new Slo(1_500_000, 0, 0));
        assertTrue(Slo.parse("none").isNone());
        assertTrue(Slo.parse("").isNone());
        for (String bad : new String[]{"ttft", "ttft=200", "ttft=-5ms", "ttft=0ms", "speed=1ms", "ttft=abcms"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Slo.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--slo"), e.getMessage());
        }
        assertFalse(Slo.parse("tpot=1ms").isNone());
    }
}
