package dev.edgebench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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

    private static Captured.Result run(String... args) {
        return Captured.run(a -> Cli.execute(new TelemetryCommand(), a), args);
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
        Captured.Result r = run("--samples", "3", "--period-ms", "10", "--samplers", "jetson,thermal,host", "--root", root.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("  jetson   rail.VDD_IN.power [mW]"), r.out());
        assertTrue(r.out().contains("  nvml     not selected (edgebench.telemetry.samplers=host,jetson,thermal)"), r.out());
        assertTrue(r.out().contains("power: jetson: VDD_IN (total input rail)"), r.out());
        assertTrue(r.out().contains("sample  t[ms]  jetson.rail.VDD_IN.power[mW]  thermal.zone.gpu-thermal.temp[C]  host.process.rss.peak[MiB]"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+3\\s+[0-9.]+\\s+7000\\s+52\\.3\\s+2\\.0\\n.*"), r.out());
        assertTrue(r.out().contains("(integrated), power avg 7.000 W, peak 7.000 W"), r.out());
        assertTrue(r.out().matches("(?s).*sampler cost per sample: wall mean [0-9.]+ us, median [0-9.]+ us, max [0-9.]+ us; CPU [0-9.]+ us \\(thread CPU time over the loop / samples\\); 3 samples every 10 ms.*"), r.out());
    }

    @Test
    void badArgumentsAreRejectedWithUsage() {
        Captured.Result r = run("--samples", "0");
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("telemetry: Invalid value for option '--samples': must be a positive integer, got 0"), r.err());
        assertTrue(r.err().contains("see `telemetry --help`"), r.err());
        Captured.rejected(a -> Cli.execute(new TelemetryCommand(), a),
                "Invalid value for option '--samples': must be a positive integer, got 'abc'", "--samples", "abc");
        Captured.rejected(a -> Cli.execute(new TelemetryCommand(), a),
                "Invalid value for option '--period-ms': must be a positive integer, got 0", "--period-ms", "0");
        Captured.rejected(a -> Cli.execute(new TelemetryCommand(), a),
                "Invalid value for option '--samplers': unknown telemetry sampler 'gpu'", "--samplers", "gpu");
        Captured.rejected(a -> Cli.execute(new TelemetryCommand(), a), "Missing required parameter for option '--period-ms'",
                "--period-ms");
        Captured.rejected(a -> Cli.execute(new TelemetryCommand(), a), "Unknown options: '--frobnicate', '1'", "--frobnicate", "1");
    }

    @Test
    void helpNamesEveryOption() {
        Captured.Result r = run("--help");
        assertEquals(0, r.rc());
        assertEquals("", r.err());
        for (String o : new String[]{"--samples=N", "--period-ms=P", "--samplers=LIST", "--root=DIR", "nvml", "jetson", "thermal", "host"}) {
            assertTrue(r.out().contains(o), () -> o + " in " + r.out());
        }
    }

    @Test
    void aMachineWithNothingSaysSo() {
        Captured.Result r = run("--samplers", "jetson,thermal", "--root", root.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("available:\n  (none)"), r.out());
        assertTrue(r.out().contains("no sampler is available: nothing to sample"), r.out());
    }
}
