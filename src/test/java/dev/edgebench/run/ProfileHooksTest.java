package dev.edgebench.run;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileHooksTest {
    private static final Path RUN = Path.of("/tmp/runs/r1");
    private static final String BENCH = RunFolder.fileName("DecodeBenchmark.decode[batch=1,model=edgebench-tiny:Q4_0]");

    @Test
    void offAddsNothingToAFork() {
        assertEquals(List.of(), ProfileHooks.NONE.forkJvmArgs(RUN, BENCH));
        assertFalse(ProfileHooks.NONE.any());
        // async-profiler is JMH's profiler on the host side: nothing for the fork's command line either
        assertEquals(List.of(), new ProfileHooks(false, false, true).forkJvmArgs(RUN, BENCH));
    }

    @Test
    void nvtxIsAPropertyOfTheFork() {
        assertEquals(List.of("-Dedgebench.nvtx=true"), new ProfileHooks(true, false, false).forkJvmArgs(RUN, BENCH));
    }

    @Test
    void jfrRecordsOneFilePerForkWithoutJfrsSeparatorsInItsName() {
        List<String> a = new ProfileHooks(false, true, false).forkJvmArgs(RUN, BENCH);
        assertEquals("-Dedgebench.jfr=true", a.get(0));
        String rec = a.get(1);
        assertTrue(rec.startsWith("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=/tmp/runs/r1/jfr/"), rec);
        String file = rec.substring(rec.indexOf("filename=") + "filename=".length());
        assertFalse(file.contains(",") || file.contains("="), file);
        assertTrue(file.endsWith("-%p.jfr"), file);
    }

    @Test
    void aRunFolderWithACommaIsRefusedForJfr() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ProfileHooks(false, true, false).forkJvmArgs(Path.of("/tmp/a,b"), BENCH));
        assertTrue(e.getMessage().contains("--jfr"), e.getMessage());
    }
}
