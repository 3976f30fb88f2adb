package dev.edgebench.engine.request;

import dev.edgebench.engine.llama.NativeLibraries;
import dev.edgebench.latency.Slo;
import dev.edgebench.load.BatchResult;
import dev.edgebench.load.LoadClock;
import dev.edgebench.load.LoadSpec;
import dev.edgebench.load.RequestDriver;
import dev.edgebench.load.RequestRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request driver through the real request ABI, against the scripted double's timed script:
 * chunk sizes and token counts exact, times no earlier than scripted (and not absurdly later on a
 * loaded machine), an engine error recorded while the others finish.
 */
@Tag("native")
class DriverOverScriptedNativeTest {
    private static final long MS = 1_000_000;

    @Test
    void scriptedTimingsThroughTheAbi(@TempDir Path dir) throws Exception {
        StringBuilder script = new StringBuilder();
        for (int n = 1; n <= 3; n++) {
            script.append("request ").append(n).append("\ndelay 40\ntokens 11\ndelay 20\ntokens 12 13 14\ndelay 10\ntokens 15\nfinal length\n");
        }
        script.append("request 4\ndelay 5\ntokens 41\nerror out of memory on request 4\n");
        Path p = Files.writeString(dir.resolve("script.txt"), script.toString());
        try (AbiRequestEngine e = AbiRequestEngine.open(NativeLibraries.locate("libedgebench_request_scripted.so"), p.toString(),
                RequestEngineConfig.defaults(), 16, 64)) {
            LoadSpec spec = new LoadSpec(2, 0, 1, 4, 0, 0, 8, 0, 5, 0, 1, Slo.parse("ttft=10s"), 1000, -1, 30_000 * MS);
            BatchResult r = new RequestDriver(e, LoadClock.SYSTEM).run(spec, 1);
            assertEquals(4, r.records().size());
            for (int i = 0; i < 3; i++) {
                RequestRecord rec = r.records().get(i);
                assertNull(rec.error());
                assertEquals(5, rec.tokens());
                assertArrayEquals(new int[]{1, 3, 1}, rec.chunkSizes());
                assertEquals("LENGTH", rec.finishReason());
                assertTrue(rec.ttftNs() >= 40 * MS && rec.ttftNs() < 2_000 * MS, "TTFT " + rec.ttftNs());
                assertTrue(rec.e2eNs() >= 70 * MS && rec.e2eNs() < 3_000 * MS, "E2E " + rec.e2eNs());
                long[] a = rec.tokenArrivalsNs();
                assertEquals(a[1], a[3], "a chunk's tokens share its arrival");
                // the script's steps fall due 40, 60 and 70 ms after the submit (cumulative): no token comes earlier
                assertTrue(a[0] >= 40 * MS && a[1] >= 60 * MS && a[4] >= 70 * MS, java.util.Arrays.toString(a));
                assertEquals((double) (rec.e2eNs() - rec.ttftNs()) / 4, rec.tpotNs(), 1e-6);
                assertTrue(rec.good());
            }
            RequestRecord failed = r.records().get(3);
            assertEquals("out of memory on request 4", failed.error());
            assertEquals(1, failed.tokens(), "tokens before the error are kept");
            assertEquals(0.25, r.stats().errorRate());
            assertEquals(3, r.stats().good());
        }
    }
}
