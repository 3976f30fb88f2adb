package dev.edgebench.engine.request;

import dev.edgebench.engine.llama.NativeLibraries;
import dev.edgebench.load.BatchResult;
import dev.edgebench.load.LoadClock;
import dev.edgebench.load.LoadSpec;
import dev.edgebench.load.RequestDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver's loop allocates nothing per token: through the real request ABI (the scripted
 * double streams one token per event), a batch's allocation grows with its tokens only by the
 * per-request arrays sized before the loop and the records built after it (about 32 bytes a
 * token: arrival, chunk time and size in the timeline; arrival and chunk size in the record).
 * Anything allocated per event or per token in the loop (a boxed long, an event object) would
 * add at least 16 bytes a token more.
 */
@Tag("native")
class DriverAllocationNativeTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void allocationPerTokenIsOnlyThePlannedArrays(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("script.txt"), "# every request: max_new_tokens one-token events\n");
        try (AbiRequestEngine e = AbiRequestEngine.open(NativeLibraries.locate("libedgebench_request_scripted.so"),
                script.toString(), RequestEngineConfig.defaults(), 64, 256)) {
            RequestDriver driver = new RequestDriver(e, LoadClock.SYSTEM);
            for (int w = 0; w < 3; w++) {
                run(driver, 100);  // warm the JIT
                run(driver, 4000);
            }
            long small = run(driver, 100);
            long large = run(driver, 4000);
            double perToken = (large - small) / (4.0 * (4000 - 100));
            System.out.printf("driver: %.1f bytes allocated per extra token (4 x 100 vs 4 x 4000 tokens)%n", perToken);
            assertTrue(perToken < 44, "bytes allocated per extra token: " + perToken);
        }
    }

    /** @return bytes this thread allocated for a closed-loop batch of 4 requests of {@code nGen} tokens */
    private static long run(RequestDriver driver, int nGen) {
        long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().threadId());
        BatchResult r = driver.run(LoadSpec.closed(4, 4, 8, nGen, 1000, 1), 1);
        long bytes = THREADS.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before;
        assertEquals(4L * nGen, r.stats().outputTokens());
        return bytes;
    }
}
