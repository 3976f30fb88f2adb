package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import dev.edgebench.engine.SessionConfig;
import dev.edgebench.engine.StepSession;
import dev.edgebench.model.GgmlType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-token path allocates nothing on the Java heap: bytes allocated by the calling thread
 * (HotSpot's per-thread counter, exact, unlike a sampling GC profiler) over 400 decode steps.
 * JIT activity can rarely allocate on the thread, so the median of five rounds must be zero.
 */
@Tag("native")
class DecodePathAllocationNativeTest {
    @Test
    void decodeStepsAllocateNothing(@TempDir Path cache) {
        Path model = TestSupport.forge(cache, TestSupport.TINY, "Q4_0", 2026);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (LlamaStepEngine e = new LlamaStepEngine();
             StepSession s = e.open(new SessionConfig(model, 0, 2048, 2048, 512, 1, 2, "auto", GgmlType.F16, GgmlType.F16, 1),
                     false)) {
            for (int i = 0; i < 300; i++) {
                s.decodeStep();
            }
            long[] bytes = new long[5];
            for (int r = 0; r < bytes.length; r++) {
                s.truncate(0);
                long before = mx.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 400; i++) {
                    s.decodeStep();
                }
                bytes[r] = mx.getThreadAllocatedBytes(thread) - before;
            }
            long[] sorted = bytes.clone();
            Arrays.sort(sorted);
            assertEquals(0, sorted[2], () -> "bytes allocated per 400 decode steps, five rounds: " + Arrays.toString(bytes));
        }
    }
}
