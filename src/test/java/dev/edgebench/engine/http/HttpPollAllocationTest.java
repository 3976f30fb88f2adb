package dev.edgebench.engine.http;

import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.http.StreamScripts.Usage;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Polling an HTTP engine allocates nothing on the polling thread: bytes allocated by it (HotSpot's
 * exact per-thread counter) while it takes 400 one-token events of a streaming loopback request.
 * (The HTTP client's own threads allocate per chunk; HttpClientOverheadBenchmark measures that
 * beside the bare client's floor.) JIT activity and the once-per-200-ms stall check can rarely
 * allocate on the thread, so the median of five rounds must be zero.
 */
class HttpPollAllocationTest {
    @Test
    void pollingAllocatesNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (var s = LoopbackStreamServer.start(r -> StreamScripts.openAi(new long[6000], Usage.TOKEN_IDS, 4), 2);
             var e = HttpStreamingEngine.open(HttpEngineSpec.parse("openai:" + s.baseUri()), "m", null)) {
            e.submit(HttpStreamingEngineTest.request(6000, 1));
            PolledEvents ev = new PolledEvents(1, 4);
            long tokens = 0;
            for (int i = 0; i < 3000; i++) {
                tokens += poll(e, ev);
            }
            long[] bytes = new long[5];
            for (int r = 0; r < bytes.length; r++) {
                long before = mx.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 400; i++) {
                    tokens += poll(e, ev);
                }
                bytes[r] = mx.getThreadAllocatedBytes(thread) - before;
            }
            long[] sorted = bytes.clone();
            Arrays.sort(sorted);
            assertEquals(0, sorted[2], () -> "bytes allocated per 400 polls, five rounds: " + Arrays.toString(bytes));
            assertEquals(5000, tokens, "one token per poll");
        }
    }

    private static int poll(HttpStreamingEngine e, PolledEvents ev) {
        int n = e.poll(5000, ev);
        return n == 1 ? ev.tokenCount(0) : 0;
    }
}
