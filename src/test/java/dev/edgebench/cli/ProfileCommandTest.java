package dev.edgebench.cli;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code profile}: bad input named before any work; a real run prints its pid, the phase marks and the steps asked for. */
class ProfileCommandTest {
    static void rejected(String expected, String... args) {
        Captured.rejected(a -> Cli.execute(new ProfileCommand(), a), expected, args);
    }

    @Test
    void badInputIsNamed() {
        rejected("--workload must be prefill or decode, was 'train'", "--workload", "train");
        rejected("give --steps N (N > 0) or --seconds S (S > 0)", "--seconds", "0");
        rejected("give --steps N (N > 0) or --seconds S (S > 0)", "--steps", "-3");
        rejected("--batch, --prompt and --gen must be positive", "--steps", "2", "--batch", "0");
        rejected("Invalid value for option '--steps'", "--steps", "many");
    }

    @Test
    @Tag("native")
    void runsTheStepsAskedForWithMarksAndTheThreadsThatRan(@TempDir Path models) {
        TestSupport.Result r = TestSupport.run(TestSupport.javaCommand(List.of("-Dedgebench.models=" + models,
                        "-Dedgebench.native.dir=" + TestSupport.nativeBuildDir(), "-Dedgebench.profile=cpu"), "dev.edgebench.cli.Main",
                "profile", "--model", "edgebench-tiny:Q4_0", "--workload", "decode", "--steps", "40", "--gen", "16", "--threads", "1"), 180);
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.get(0).matches("profile: pid \\d+"), lines.get(0));
        for (String phase : List.of("load begin", "load end: edgebench-tiny", "warmup begin", "warmup end", "steady begin: decode, 40 steps",
                "steady end: 40 steps")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("mark ") && l.contains(phase)), phase + " in " + r.stdout());
        }
        // 40 steps with --gen 16: the cache is cut back twice, and the run still counts 40 decode steps
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("threads during steady")), r.stdout());
    }
}
