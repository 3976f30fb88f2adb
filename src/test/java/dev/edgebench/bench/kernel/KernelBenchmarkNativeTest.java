package dev.edgebench.bench.kernel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KernelBenchmark through JMH's Runner, asserting on what KernelProfiler publishes. */
@Tag("native")
class KernelBenchmarkNativeTest {
    private static Options options(String op, String backend) {
        String nativeDir = System.getProperty("edgebench.native.dir");
        return new OptionsBuilder()
                .include(KernelBenchmark.class.getName() + ".kernel$")
                .addProfiler(KernelProfiler.class)
                .param("op", op)
                .param("backend", backend)
                .param("threads", "1")
                .param("coldMiB", "16")
                .forks(1)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(2)
                .measurementTime(TimeValue.milliseconds(200))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                        "-Dedgebench.native.dir=" + nativeDir, "-Dedgebench.device.bandwidthGBps=20")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
    }

    private static RunResult runOne(Options o) throws Exception {
        // the test only checks that results exist, so it may run beside another JMH on this machine
        System.setProperty("jmh.ignoreLock", "true");
        Collection<RunResult> results = new Runner(o).run();
        assertEquals(1, results.size());
        return results.iterator().next();
    }

    @Test
    void publishesPerOpMetricsAsSecondaryResults() throws Exception {
        RunResult r = runOne(options("MUL_MAT q4_0[256x256] f32[256x1]", "CPU"));
        Map<String, Result> s = r.getSecondaryResults();
        assertNull(s.get("kernel.skip"));
        double us = s.get("kernel.us_per_op").getScore();
        assertTrue(us > 0 && us < 1e5, "us per op " + us);
        int iterations = 0;
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult it : b.getIterationResults()) {
                Map<String, Result> is = it.getSecondaryResults();
                double itUs = is.get("kernel.us_per_op").getScore();
                assertEquals(2.0 * 256 * 256 / itUs / 1e3, is.get("kernel.gflops").getScore(), 1e-9,
                        "each iteration's GFLOP/s is its FLOPs over its time");
                iterations++;
            }
        }
        assertEquals(2, iterations, "measurement iterations");
        assertTrue(s.get("kernel.gbps").getScore() > 0);
        double roof = s.get("kernel.roofline_pct").getScore();
        assertTrue(roof > 0, "roofline against the given 20 GB/s: " + roof);
        assertTrue(s.get("kernel.copies").getScore() >= 1);
        assertEquals("MUL_MAT q4_0[256x256] f32[256x1]", r.getParams().getParam("op"), "the op names kernel, shape and types");
        assertEquals("CPU", r.getParams().getParam("backend"));
    }

    @Test
    void aKernelTheBackendCannotRunIsReportedAsSkippedWithItsReason() throws Exception {
        RunResult r = runOne(options("MUL_MAT q4_0[256x64] f16[256x1]", "CPU"));
        Result skip = r.getSecondaryResults().get("kernel.skip");
        assertNotNull(skip, "skip result");
        assertTrue(skip.extendedInfo().contains("does not support MUL_MAT q4_0[256x64] f16[256x1]"), skip.extendedInfo());
        assertFalse(r.getSecondaryResults().containsKey("kernel.us_per_op"));
        RunResult gpu = runOne(options("MUL_MAT q4_0[256x64] f32[256x1]", "NOPE0"));
        assertTrue(gpu.getSecondaryResults().get("kernel.skip").extendedInfo().contains("no ggml device 'NOPE0'"));
    }
}
