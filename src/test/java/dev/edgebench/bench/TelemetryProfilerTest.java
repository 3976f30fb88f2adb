package dev.edgebench.bench;

import dev.edgebench.telemetry.TelemetryReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The profiler inside a real JMH run (one fork, short iterations), against a fake Orin Nano sysfs tree. */
class TelemetryProfilerTest {
    @TempDir
    Path root;
    @TempDir
    Path runDir;

    private void orinNano() throws IOException {
        write("sys/bus/i2c/devices/1-0040/name", "ina3221\n");
        String hw = "sys/bus/i2c/devices/1-0040/hwmon/hwmon3/";
        write(hw + "in1_label", "VDD_IN\n");
        write(hw + "in1_input", "5000\n");
        write(hw + "curr1_input", "1400\n");
        write(hw + "in2_label", "VDD_CPU_GPU_CV\n");
        write(hw + "in2_input", "5000\n");
        write(hw + "curr2_input", "600\n");
        String gpu = "sys/class/devfreq/17000000.ga10b/";
        write(gpu + "cur_freq", "624750000\n");
        write(gpu + "min_freq", "624750000\n");
        write(gpu + "max_freq", "624750000\n");
        write(gpu + "device/of_node/name", "ga10b\0");
        write(gpu + "device/load", "990\n");
        write("sys/class/thermal/thermal_zone0/type", "gpu-thermal\n");
        write("sys/class/thermal/thermal_zone0/temp", "52250\n");
        write("proc/self/status", "Name:\tjava\nVmHWM:\t  2048 kB\nVmRSS:\t 2000 kB\n");
    }

    private void write(String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private RunResult run(String profilerOptions) throws Exception {
        // JMH's machine-wide lock (/tmp/jmh.lock) would make this test fail whenever any other
        // benchmark runs on the machine; this run measures nothing that such a neighbour could spoil
        System.setProperty("jmh.ignoreLock", "true");
        Options opt = new OptionsBuilder()
                .include(ProfiledDecodeBenchmark.class.getName() + ".decodeStep")
                .forks(1)
                .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                .measurementIterations(2).measurementTime(TimeValue.milliseconds(400))
                .addProfiler(TelemetryProfiler.class, profilerOptions)
                .jvmArgsAppend("-Dedgebench.run.dir=" + runDir)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        assertEquals(1, results.size());
        return results.iterator().next();
    }

    @Test
    void secondaryResultsAndTheJsonFileCarryPowerEnergyAndTokens() throws Exception {
        orinNano();
        RunResult r = run("periodMs=20;samplers=jetson,thermal,host;root=" + root);
        Map<String, Result> s = r.getAggregatedResult().getSecondaryResults();
        // VDD_IN: 5000 mV x 1400 mA = 7 W, constant, so every figure is exact
        assertEquals(7.0, s.get("power.avg_W").getScore(), 1e-9, s.keySet().toString());
        assertEquals("W", s.get("power.avg_W").getScoreUnit());
        assertEquals(7.0, s.get("power.peak_W").getScore(), 1e-9);
        double energy = s.get("energy.sample_J").getScore();
        assertTrue(energy > 7 * 0.39 && energy < 7 * 1.5, "about 7 W x 0.4 s, got " + energy + " J");
        assertEquals(0.0, s.get("energy.from_counter").getScore());
        assertTrue(s.get("energy.per_token_J").getScore() > 0);
        assertEquals("J/tok", s.get("energy.per_token_J").getScoreUnit());
        assertTrue(s.get("tok_per_s_per_W").getScore() > 0);
        assertEquals(52.25, s.get("temp.max_C").getScore(), 1e-9);
        assertEquals(624.75, s.get("clock.sm.min_MHz").getScore(), 1e-9);
        assertEquals(624.75, s.get("clock.sm.max_MHz").getScore(), 1e-9);
        assertEquals(0.0, s.get("throttled").getScore());
        assertEquals(0L, assertInstanceOf(BitmaskResult.class, s.get("throttle.reasons")).mask());
        assertEquals(2.0, s.get("memory.rss.peak_MiB").getScore(), 1e-9, "2048 kB");
        assertTrue(s.get("telemetry.sampler.cost_us").getScore() > 0);
        // CPU covers the sampling thread's whole loop (its wake-ups too), wall only the reads: no fixed ratio
        assertTrue(s.get("telemetry.sampler.wall_us").getScore() > 0);
        assertEquals("us/sample", s.get("telemetry.sampler.cost_us").getScoreUnit());
        assertFalse(s.containsKey("memory.gpu.peak_MiB"), "no GPU memory reading here");
        assertFalse(s.containsKey("cooldown.wait_s"), "no cool-down asked for");

        List<TelemetryReport> reports = TelemetryReport.readRun(runDir);
        assertEquals(1, reports.size());
        TelemetryReport rep = reports.get(0);
        assertEquals(ProfiledDecodeBenchmark.class.getName() + ".decodeStep", rep.benchmark());
        assertEquals(1, rep.forks().size());
        TelemetryReport.Fork fork = rep.forks().get(0);
        assertEquals(20, fork.periodMs());
        assertEquals("jetson: VDD_IN (total input rail)", fork.powerSource());
        assertEquals("true", fork.facts().get(TelemetryReport.FACT_CLOCKS_LOCKED));
        assertEquals(List.of("nvml"), fork.unavailable().stream().map(TelemetryReport.UnavailableInfo::sampler).toList());
        assertEquals(List.of("warmup", "measurement", "measurement"), fork.iterations().stream().map(TelemetryReport.Iteration::type).toList());
        for (TelemetryReport.Iteration it : rep.measurementIterations()) {
            assertTrue(it.generatedTokens() > 100, "tokens " + it.generatedTokens());
            assertEquals(1.0, it.jPerToken() * it.tokPerSPerW(), 1e-9);
            assertEquals(7.0, it.energyJ() / it.durationS(), 1e-9);
            assertTrue(it.samples() >= 10, "about 20 samples at 20 ms in 400 ms, got " + it.samples());
            assertEquals("integrated", it.energySource());
        }
        assertFalse(rep.throttled());
        assertEquals(List.of(), rep.warnings());
    }

    @Test
    void withoutAnySensorTheBenchmarkStillRunsAndTheReasonsAreRecorded() throws Exception {
        RunResult r = run("periodMs=50;samplers=jetson,thermal;root=" + root);
        assertTrue(r.getPrimaryResult().getScore() > 0, "the benchmark ran");
        Map<String, Result> s = r.getAggregatedResult().getSecondaryResults();
        assertFalse(s.containsKey("power.avg_W"));
        assertFalse(s.containsKey("throttled"), "nothing here can see throttling");
        TelemetryReport rep = TelemetryReport.readRun(runDir).get(0);
        TelemetryReport.Fork fork = rep.forks().get(0);
        assertNull(fork.powerSource());
        assertTrue(fork.unavailable().stream().anyMatch(u -> u.sampler().equals("jetson") && u.reason().contains("no INA3221")),
                fork.unavailable().toString());
        assertTrue(rep.warnings().contains("no power reading on this machine: no energy, J/token or tok/s/W"), rep.warnings().toString());
    }

    @Test
    void badOptionsAreRejectedWithTheirName() {
        ProfilerException e = assertThrows(ProfilerException.class, () -> new TelemetryProfiler("periodMs=fast"));
        assertEquals("TelemetryProfiler option periodMs must be an integer, got 'fast'", e.getMessage());
        e = assertThrows(ProfilerException.class, () -> new TelemetryProfiler("speed=1"));
        assertTrue(e.getMessage().startsWith("TelemetryProfiler: unknown option 'speed'"), e.getMessage());
        e = assertThrows(ProfilerException.class, () -> new TelemetryProfiler("samplers=gpu"));
        assertTrue(e.getMessage().startsWith("TelemetryProfiler: unknown telemetry sampler 'gpu'"), e.getMessage());
    }
}
