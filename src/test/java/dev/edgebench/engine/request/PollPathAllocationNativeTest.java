package dev.edgebench.engine.request;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;

import dev.edgebench.engine.llama.NativeLibraries;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Polling allocates nothing on the Java heap: bytes allocated by the polling thread (HotSpot's
 * exact per-thread counter) while it takes 400 one-token events from the scripted library. JIT
 * activity can rarely allocate on the thread, so the median of five rounds must be zero.
 */
@Tag("native")
class PollPathAllocationNativeTest {
    @Test
    void pollingAllocatesNothing(@TempDir Path dir) throws IOException {
        Path script = Files.writeString(dir.resolve("empty.txt"), "# every request: one-token events\n");
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        Path library = NativeLibraries.locate("libedgebench_request_scripted.so");
        try (AbiRequestEngine e = AbiRequestEngine.open(library, script.toString(), RequestEngineConfig.defaults(), 1, 4)) {
            PolledEvents ev = new PolledEvents(1, 4);
            e.submit(RequestSpec.greedy(new int[] {1}, 25_000, 0));
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                sum += poll(e, ev);
            }
            long[] bytes = new long[5];
            for (int r = 0; r < bytes.length; r++) {
                long before = mx.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 400; i++) {
                    sum += poll(e, ev);
                }
                bytes[r] = mx.getThreadAllocatedBytes(thread) - before;
            }
            long[] sorted = bytes.clone();
            Arrays.sort(sorted);
            assertEquals(0, sorted[2], () -> "bytes allocated per 400 polls, five rounds: " + Arrays.toString(bytes));
            assertEquals(20_000L + 2000, sum, "one token per poll");
        }
    }

    private static int poll(AbiRequestEngine e, PolledEvents ev) {
        int n = e.poll(0, ev);
        return n == 1 ? ev.tokenCount(0) : 0;
    }
}
