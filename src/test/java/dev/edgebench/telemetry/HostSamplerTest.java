package dev.edgebench.telemetry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.edgebench.telemetry.FakeSysfs.names;
import static dev.edgebench.telemetry.FakeSysfs.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostSamplerTest {
    @TempDir
    Path root;

    private FakeSysfs pc() {
        FakeSysfs f = new FakeSysfs(root).procStatus(204_800);
        String r = "sys/class/powercap/intel-rapl:0";
        f.file(r + "/name", "package-0\n").file(r + "/max_energy_range_uj", "262143328850\n").file(r + "/energy_uj", "1000000\n");
        f.file("sys/class/powercap/intel-rapl:0:0/name", "core\n").file("sys/class/powercap/intel-rapl:0:0/energy_uj", "5\n");
        for (int cpu = 0; cpu < 4; cpu++) {
            String c = "sys/devices/system/cpu/cpu" + cpu;
            f.file(c + "/cpufreq/scaling_cur_freq", (2_000_000 + cpu * 400_000) + "\n");
            f.file(c + "/thermal_throttle/package_throttle_count", "7\n");
            f.file(c + "/topology/physical_package_id", "0\n");
        }
        f.dir("sys/devices/system/cpu/cpufreq");
        return f;
    }

    @Test
    void raplCpufreqThrottleCountAndPeakRssAreRead() throws Exception {
        FakeSysfs f = pc();
        try (Sampler s = assertInstanceOf(Probe.Available.class, HostSampler.probe(root, SysFiles.real())).sampler()) {
            assertEquals(List.of("rapl.package-0.power", "rapl.package-0.energy", "cpu.clock.min", "cpu.clock.mean",
                    "cpu.clock.max", "cpu.clock_events", "process.rss.peak"), names(s));
            double[] first = sample(s);
            assertTrue(Double.isNaN(first[0]), "no power before a second counter reading");
            assertEquals(1000.0, first[1], 1e-9, "µJ -> mJ");
            assertEquals(2000.0, first[2], 1e-9);
            assertEquals(2600.0, first[3], 1e-9);
            assertEquals(3200.0, first[4], 1e-9);
            assertEquals(0, first[5]);
            assertEquals(204_800 * 1024.0, first[6], 1e-9, "VmHWM kB -> bytes");
            PowerSource p = s.powerSource();
            assertEquals(PowerSource.Scope.CPU_PACKAGE, p.scope());
            assertEquals(new PowerDomain("package-0", 0, 1, 262143328.850), p.domains().get(0));

            Thread.sleep(20);
            f.file("sys/class/powercap/intel-rapl:0/energy_uj", "3000000\n");
            for (int cpu = 0; cpu < 4; cpu++) {
                f.file("sys/devices/system/cpu/cpu" + cpu + "/thermal_throttle/package_throttle_count", "8\n");
            }
            double[] second = sample(s);
            // 2 J in a bit over 20 ms: between 10 and 100 W
            assertTrue(second[0] > 10_000 && second[0] < 100_000, "power " + second[0] + " mW");
            assertEquals(3000.0, second[1], 1e-9);
            assertEquals(ThrottleReason.CPU_PACKAGE_THERMAL_THROTTLE.bit(), second[5], "throttle count rose");
            assertEquals(0, sample(s)[5], "and did not rise again");

            f.file("sys/class/powercap/intel-rapl:0/energy_uj", "1000\n");
            double[] wrapped = sample(s);
            assertTrue(wrapped[0] > 0, "a wrapped counter still gives a positive power: " + wrapped[0]);
        }
    }

    @Test
    void raplDeniedAsWithoutRootIsANoteNotAFailure() {
        pc();
        FakeSysfs.Denying files = new FakeSysfs.Denying().deny(root.resolve("sys/class/powercap/intel-rapl:0/energy_uj"));
        try (Sampler s = assertInstanceOf(Probe.Available.class, HostSampler.probe(root, files)).sampler()) {
            assertTrue(s.powerSource() == null);
            assertEquals(List.of("cpu.clock.min", "cpu.clock.mean", "cpu.clock.max", "cpu.clock_events", "process.rss.peak"), names(s));
            assertTrue(s.notes().contains("RAPL package-0: " + root.resolve("sys/class/powercap/intel-rapl:0/energy_uj")
                    + ": permission denied (root only since Linux 5.10: run as root, or make energy_uj readable)"), s.notes().toString());
        }
    }

    @Test
    void aVirtualMachineHasOnlyThePeakRssAndSaysWhyNotTheRest() {
        new FakeSysfs(root).procStatus(1000);
        try (Sampler s = assertInstanceOf(Probe.Available.class, HostSampler.probe(root, SysFiles.real())).sampler()) {
            assertEquals(List.of("process.rss.peak"), names(s));
            assertEquals(1_024_000.0, sample(s)[0], 1e-9);
            assertEquals(3, s.notes().size(), s.notes().toString());
            assertTrue(s.notes().get(0).startsWith("CPU power: no "), s.notes().toString());
        }
    }

    @Test
    void nothingReadableIsUnavailable() {
        new FakeSysfs(root).file("proc/self/status", "Name:\tjava\n");
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, HostSampler.probe(root, SysFiles.real()));
        assertTrue(u.reason().contains("peak RSS: " + root.resolve("proc/self/status") + ": " + root.resolve("proc/self/status")
                + ": no line starts with 'VmHWM:'"), u.reason());
    }

    @Test
    void theRealProcessStatusHasAPeakRss() {
        try (Sampler s = assertInstanceOf(Probe.Available.class, HostSampler.probe(Path.of("/"), SysFiles.real())).sampler()) {
            int i = names(s).indexOf("process.rss.peak");
            double bytes = sample(s)[i];
            assertTrue(bytes > 1 << 20, "peak RSS of this JVM: " + bytes);
        }
    }
}
