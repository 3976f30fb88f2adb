package dev.edgebench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TelemetryCommandTest {
    @TempDir
    Path root;

    private static void write(Path root, String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private record Run(int rc, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = TelemetryCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsDetectionSamplesEnergyAndCostForAnOrinNanoTree() throws IOException {
        String hw = "sys/bus/i2c/devices/1-0040/";
        write(root, hw + "name", "ina3221\n");
        write(root, hw + "hwmon/hwmon3/in1_label", "VDD_IN\n");
        write(root, hw + "hwmon/hwmon3/in1_input", "5000\n");
        write(root, hw + "hwmon/hwmon3/curr1_input", "1400\n");
        write(root, "sys/class/thermal/thermal_zone0/type", "gpu-thermal\n");
        write(root, "sys/class/thermal/thermal_zone0/temp", "52250\n");
        write(root, "proc/self/status", "Name:\tjava\nVmHWM:\t  2048 kB\n");
        Run r = run("--samples", "3", "--period-ms", "10", "--samplers", "jetson,thermal,host", "--root", root.toString());
        assertEquals(0, r.rc, r.err);
        assertTrue(r.out.contains("  jetson   rail.VDD_IN.power [mW]"), r.out);
        assertTrue(r.out.contains("  nvml     not selected (edgebench.telemetry.samplers=host,jetson,thermal)"), r.out);
        assertTrue(r.out.contains("power: jetson: VDD_IN (total input rail)"), r.out);
        assertTrue(r.out.contains("sample  t[ms]  jetson.rail.VDD_IN.power[mW]  thermal.zone.gpu-thermal.temp[C]  host.process.rss.peak[MiB]"), r.out);
        assertTrue(r.out.matches("(?s).*\\n\\s+3\\s+[0-9.]+\\s+7000\\s+52\\.3\\s+2\\.0\\n.*"), r.out);
        assertTrue(r.out.contains("(integrated), power avg 7.000 W, peak 7.000 W"), r.out);
        assertTrue(r.out.matches("(?s).*sampler cost per sample: wall mean [0-9.]+ us, median [0-9.]+ us, max [0-9.]+ us; CPU [0-9.]+ us \\(thread CPU time over the loop / samples\\); 3 samples every 10 ms.*"), r.out);
    }

    @Test
    void badArgumentsAreRejectedWithUsage() {
        Run r = run("--samples", "0");
        assertEquals(2, r.rc);
        assertTrue(r.err.startsWith("telemetry: --samples must be a positive integer, got 0"), r.err);
        assertTrue(r.err.contains("usage: telemetry"), r.err);
        assertEquals(2, run("--samplers", "gpu").rc);
        assertEquals(2, run("--period-ms").rc);
        assertEquals(2, run("--frobnicate", "1").rc);
    }

    @Test
    void aMachineWithNothingSaysSo() {
        Run r = run("--samplers", "jetson,thermal", "--root", root.toString());
        assertEquals(0, r.rc, r.err);
        assertTrue(r.out.contains("available:\n  (none)"), r.out);
        assertTrue(r.out.contains("no sampler is available: nothing to sample"), r.out);
    }
}
