package dev.edgebench.telemetry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TelemetryReportTest {
    @TempDir
    Path dir;

    /** A window of constant power (mW) and SM clock, with the given reasons in its middle sample. */
    static WindowSummary window(double powerMw, double clockMhz, long reasons) {
        List<Channel> ch = List.of(new Channel("p", Quantity.POWER_MW), new Channel("sm", Quantity.GPU_CLOCK_MHZ),
                new Channel("r", Quantity.CLOCK_EVENT_REASONS), new Channel("t", Quantity.TEMPERATURE_C));
        WindowAccumulator a = new WindowAccumulator(ch, new PowerSource(PowerSource.Scope.BOARD, "VDD_IN (total input rail)",
                List.of(PowerDomain.powerOnly("VDD_IN", 0))), List.of("jetson"));
        a.add(0, new double[]{powerMw, clockMhz, 0, 50}, 20_000, new long[]{20_000});
        a.add(500_000_000, new double[]{powerMw, clockMhz, reasons, 60}, 20_000, new long[]{20_000});
        a.add(1_000_000_000, new double[]{powerMw, clockMhz, 0, 55}, 20_000, new long[]{20_000});
        a.threadCpuNs(15_000);
        return a.summary();
    }

    static TelemetryReport report(String id, boolean throttled, String locked, String mode) {
        TelemetryReport.Iteration warm = TelemetryReport.Iteration.of("warmup", 1,
                window(7000, 1300, ThrottleReason.HW_THERMAL_SLOWDOWN.bit()), 100, 0);
        TelemetryReport.Iteration m1 = TelemetryReport.Iteration.of("measurement", 1, window(7000, 1300, 0), 140, 0);
        TelemetryReport.Iteration m2 = TelemetryReport.Iteration.of("measurement", 2,
                window(6000, 800, throttled ? ThrottleReason.JETSON_GPU_CLOCK_CAPPED.bit() : 0), 120, 0);
        TelemetryReport.Fork fork = new TelemetryReport.Fork(0, 42, "2026-11-22T02:00:00Z", 100,
                List.of(new TelemetryReport.SamplerInfo("jetson", List.of("rail.VDD_IN.power [mW]"), 0, null)),
                List.of(new TelemetryReport.UnavailableInfo("nvml", "libnvidia-ml.so.1 could not be loaded")),
                "jetson: VDD_IN (total input rail)",
                Map.of(TelemetryReport.FACT_POWER_MODE, mode, TelemetryReport.FACT_CLOCKS_LOCKED, locked,
                        TelemetryReport.FACT_CLOCKS_LOCKED_DETAIL, "jetson_clocks --show: ..."),
                List.of(), null, List.of(warm, m1, m2), List.of());
        return new TelemetryReport(TelemetryReport.SCHEMA, "dev.edgebench.bench.Decode.decode", id, "thrpt",
                Map.of("batch", "1"), 0, List.of(fork));
    }

    @Test
    void iterationFiguresComeFromTheWindowAndTheTokens() {
        TelemetryReport.Iteration it = TelemetryReport.Iteration.of("measurement", 1, window(7000, 1300, 0), 140, 12);
        assertEquals(7.0, it.energyJ(), 1e-9, "7 W for 1 s");
        assertEquals(7.0, it.powerAvgW(), 1e-9);
        assertEquals(0.05, it.jPerToken(), 1e-12, "7 J / 140 tokens");
        assertEquals(20.0, it.tokPerSPerW(), 1e-9, "140 tokens / 7 J");
        assertEquals("integrated", it.energySource());
        assertEquals(60.0, it.tempMaxC());
        assertEquals(20.0, it.samplerWallMeanUs(), 1e-9);
        assertEquals(5.0, it.samplerCpuMeanUs(), 1e-9);
        TelemetryReport.Iteration none = TelemetryReport.Iteration.of("measurement", 1, window(7000, 1300, 0), 0, 0);
        assertNull(none.jPerToken(), "no tokens, no per-token figures");
        assertNull(none.tokPerSPerW());
    }

    @Test
    void aThrottledUnlockedRunWarnsButWarmUpThrottlingDoesNotCount() {
        TelemetryReport clean = report("a", false, "true", "MAXN (mode 0)");
        assertFalse(clean.throttled(), "only the warm-up iteration was throttled");
        assertEquals(List.of(), clean.warnings());
        TelemetryReport bad = report("a", true, "false", "MAXN (mode 0)");
        assertTrue(bad.throttled());
        assertEquals(List.of("throttled in 1 of 2 measurement iterations (JETSON_GPU_CLOCK_CAPPED)",
                "clocks not locked (jetson_clocks --show: ...): run `sudo jetson_clocks` for comparable numbers"), bad.warnings());
        assertEquals(Optional.of(false), bad.clocksLocked());
    }

    @Test
    void theFileRoundTripsAndTheRunFolderIsRead() throws IOException {
        TelemetryReport r = report("dev.edgebench.bench.Decode.decode-Throughput-batch-1", true, "false", "15W (mode 2)");
        Path file = dir.resolve("telemetry").resolve(TelemetryReport.fileName(r.benchmarkId()));
        r.write(file);
        assertEquals(r, TelemetryReport.read(file));
        List<TelemetryReport> run = TelemetryReport.readRun(dir);
        assertEquals(1, run.size());
        assertTrue(run.get(0).throttled());
        String json = Files.readString(file);
        assertTrue(json.contains("\"schema\" : \"edgebench.telemetry/1\""), json);
        assertTrue(json.contains("\"clockEventReasonNames\" : [ \"JETSON_GPU_CLOCK_CAPPED\" ]"), json);
        assertFalse(json.contains("NaN"), "JSON has no NaN");
        assertEquals(List.of(), TelemetryReport.readRun(dir.resolve("elsewhere")));
    }

    @Test
    void aForeignFileIsRejectedWithItsName() throws IOException {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"schema\":\"something/9\",\"forks\":[]}");
        IOException e = assertThrows(IOException.class, () -> TelemetryReport.read(f));
        assertEquals("telemetry report " + f + " has schema 'something/9', expected 'edgebench.telemetry/1'", e.getMessage());
        Files.writeString(f, "{not json");
        e = assertThrows(IOException.class, () -> TelemetryReport.read(f));
        assertTrue(e.getMessage().startsWith("telemetry report " + f + " is unreadable"), e.getMessage());
    }

    @Test
    void theSummaryFlagsThrottlingAndUnlockedClocksVisibly() {
        String md = TelemetryReports.markdown(List.of(report("bench.ok", false, "true", "MAXN (mode 0)"),
                report("bench.hot", true, "false", "MAXN (mode 0)")));
        assertTrue(md.startsWith("## Telemetry\n"), md);
        assertTrue(md.contains("| bench.ok | ok | 6.50 | 7.00 | 0.05000 | 20.0 | 60.0 | 800-1300 | integrated |"), md);
        assertTrue(md.contains("| bench.hot | **THROTTLED** **clocks unlocked** |"), md);
        assertTrue(md.contains("- **bench.hot**: throttled in 1 of 2 measurement iterations"), md);
        assertFalse(md.contains("- **bench.ok**"), md);
        assertTrue(md.contains("Power mode: MAXN (mode 0)."), md);
        assertTrue(TelemetryReports.markdown(List.of()).contains("No telemetry was recorded"));
    }

    @Test
    void compareWarnsOnThrottlingAndOnDifferentMachineStates() {
        List<String> w = TelemetryReports.compare(List.of(report("x", false, "true", "MAXN (mode 0)")),
                List.of(report("x", true, "false", "15W (mode 2)"), report("only-current", true, "false", "15W")));
        assertEquals(List.of("x: the current run was throttled; the comparison is not reliable",
                "x: power mode differs: baseline MAXN (mode 0), current 15W (mode 2)",
                "x: clocks locked differs: baseline true, current false",
                "x: clocks were not locked in the current run; DVFS adds noise"), w);
        assertEquals(List.of(), TelemetryReports.compare(List.of(report("x", false, "true", "MAXN")),
                List.of(report("x", false, "true", "MAXN"))));
    }
}
