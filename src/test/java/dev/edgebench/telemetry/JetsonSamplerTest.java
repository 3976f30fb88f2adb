package dev.edgebench.telemetry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.edgebench.telemetry.FakeSysfs.names;
import static dev.edgebench.telemetry.FakeSysfs.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JetsonSamplerTest {
    @TempDir
    Path root;

    private static Sampler open(Probe p) {
        return assertInstanceOf(Probe.Available.class, p, () -> "unavailable: " + p).sampler();
    }

    @Test
    void agxOrinReadsEveryLabelledRailSkipsNcAndSumsThemWithoutATotalRail() {
        FakeSysfs.agxOrin(root);
        try (Sampler s = open(JetsonSampler.probe(root, SysFiles.real(), FakeSysfs.agxOrinCommands()))) {
            assertEquals(List.of("rail.VDD_GPU_SOC.power", "rail.VDD_CPU_CV.power", "rail.VIN_SYS_5V0.power",
                    "rail.VDDQ_VDD2_1V8AO.power", "gpu.clock", "gpu.load", "gpu.clock_events"), names(s));
            // mV x mA / 1000 = mW; clock Hz -> MHz; load per-mille -> percent; not capped at full clock
            assertArrayEquals(new double[]{6000, 2000, 4000, 500, 1300.5, 99.5, 0}, sample(s), 1e-9);
            PowerSource p = s.powerSource();
            assertEquals(PowerSource.Scope.BOARD, p.scope());
            assertEquals(List.of("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"),
                    p.domains().stream().map(PowerDomain::label).toList());
            assertTrue(p.description().startsWith("sum of rails"), p.description());
            assertEquals(List.of(0, 1, 2, 3), p.domains().stream().map(PowerDomain::powerChannel).toList());
            assertEquals("MAXN (mode 0)", s.facts().get(JetsonSampler.FACT_POWER_MODE));
            assertEquals("false", s.facts().get(JetsonSampler.FACT_CLOCKS_LOCKED));
            assertTrue(s.facts().get(JetsonSampler.FACT_CLOCKS_LOCKED_DETAIL)
                    .contains("not locked: GPU 306.0-1300.5 MHz, 0 of 2 online CPUs"), s.facts().toString());
            assertTrue(s.facts().get("ina3221").contains("1-0041/hwmon/hwmon2 (VDDQ_VDD2_1V8AO)"), s.facts().toString());
            assertEquals(0, s.errors().count());
        }
    }

    @Test
    void orinNanoUsesVddInAsTheTotalAndDevfreqForTheClockLockWhenTheToolsAreMissing() {
        FakeSysfs.orinNano(root);
        try (Sampler s = open(JetsonSampler.probe(root, SysFiles.real(), FakeSysfs.noCommands()))) {
            assertEquals(List.of("rail.VDD_IN.power", "rail.VDD_CPU_GPU_CV.power", "rail.VDD_SOC.power", "gpu.clock",
                    "gpu.load", "gpu.clock_events"), names(s));
            assertArrayEquals(new double[]{7000, 3000, 1500, 624.75, 100, 0}, sample(s), 1e-9);
            PowerSource p = s.powerSource();
            assertEquals(1, p.domains().size());
            assertEquals("VDD_IN", p.domains().get(0).label());
            assertEquals(0, p.domains().get(0).powerChannel());
            assertEquals(-1, p.domains().get(0).energyChannel());
            assertTrue(s.facts().get(JetsonSampler.FACT_POWER_MODE).startsWith("unknown (nvpmodel -q: nvpmodel not found"),
                    s.facts().toString());
            assertEquals("true", s.facts().get(JetsonSampler.FACT_CLOCKS_LOCKED));
            assertTrue(s.facts().get(JetsonSampler.FACT_CLOCKS_LOCKED_DETAIL).contains("min_freq 624.8 MHz = max_freq"),
                    s.facts().toString());
        }
    }

    @Test
    void thorPicksTheGpcNodeAndSaysTheLoadFileIsMissing() {
        FakeSysfs.thor(root);
        try (Sampler s = open(JetsonSampler.probe(root, SysFiles.real(), FakeSysfs.noCommands()))) {
            assertEquals(List.of("rail.VDD_GPU.power", "rail.VDD_CPU_SOC_MSS.power", "rail.VIN_SYS_5V0.power", "gpu.clock",
                    "gpu.clock_events"), names(s));
            assertArrayEquals(new double[]{10000, 5000, 3000, 1575, 0}, sample(s), 1e-9);
            assertEquals(3, s.powerSource().domains().size());
            assertTrue(s.facts().get("gpu_devfreq").startsWith("gpu-gpc-0:"), s.facts().toString());
            assertTrue(s.notes().stream().anyMatch(n -> n.startsWith("GPU load:") && n.contains("gpu-gpc-0/device/load does not exist")),
                    s.notes().toString());
        }
    }

    @Test
    void aMachineWithoutJetsonHardwareIsUnavailableWithTheReason() {
        FakeSysfs.none(root);
        Probe p = JetsonSampler.probe(root, SysFiles.real(), FakeSysfs.noCommands());
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, p);
        assertTrue(u.reason().contains("no INA3221 power monitor"), u.reason());
        assertTrue(u.reason().contains("no GPU devfreq node"), u.reason());
    }

    @Test
    void aJetsonWhoseSensorsAreAllUnreadableSaysSoPerFile() throws Exception {
        FakeSysfs.orinNano(root).file("etc/nv_tegra_release", "# R36 (release)\n");
        FakeSysfs.Denying files = new FakeSysfs.Denying();
        for (int n = 1; n <= 3; n++) {
            files.deny(root.resolve("sys/bus/i2c/devices/1-0040/hwmon/hwmon3/in" + n + "_input"));
        }
        files.deny(root.resolve("sys/class/devfreq/17000000.ga10b/cur_freq"));
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, JetsonSampler.probe(root, files, FakeSysfs.noCommands()));
        assertTrue(u.reason().startsWith("this is a Jetson"), u.reason());
        assertTrue(u.reason().contains("rail VDD_IN voltage: " + root.resolve("sys/bus/i2c/devices/1-0040/hwmon/hwmon3/in1_input")
                + ": permission denied"), u.reason());
        assertTrue(u.reason().contains("GPU clock: " + root.resolve("sys/class/devfreq/17000000.ga10b/cur_freq") + ": permission denied"),
                u.reason());
    }

    @Test
    void anUnreadableRailIsSkippedWithANoteAndTheOthersStillRead() throws Exception {
        FakeSysfs.agxOrin(root);
        Path curr = root.resolve("sys/bus/i2c/devices/1-0040/hwmon/hwmon1/curr1_input");
        Files.delete(curr);
        Files.createDirectory(curr); // a folder where a file is expected: reads fail with EISDIR
        FakeSysfs.Denying files = new FakeSysfs.Denying().deny(root.resolve("sys/bus/i2c/devices/1-0041/hwmon/hwmon2/in2_label"));
        try (Sampler s = open(JetsonSampler.probe(root, files, FakeSysfs.agxOrinCommands()))) {
            assertEquals(List.of("rail.VDD_CPU_CV.power", "rail.VIN_SYS_5V0.power", "gpu.clock", "gpu.load", "gpu.clock_events"),
                    names(s));
            assertTrue(s.notes().stream().anyMatch(n -> n.startsWith("rail VDD_GPU_SOC current: " + curr + ": ")), s.notes().toString());
            assertTrue(s.notes().stream().anyMatch(n -> n.equals("rail label "
                    + root.resolve("sys/bus/i2c/devices/1-0041/hwmon/hwmon2/in2_label") + ": permission denied")), s.notes().toString());
            assertEquals(List.of("VDD_CPU_CV", "VIN_SYS_5V0"), s.powerSource().domains().stream().map(PowerDomain::label).toList());
            assertArrayEquals(new double[]{2000, 4000, 1300.5, 99.5, 0}, sample(s), 1e-9);
        }
    }

    @Test
    void aReadThatFailsWhileSamplingGivesNanAndIsCounted() {
        FakeSysfs.orinNano(root);
        FakeSysfs.Denying files = new FakeSysfs.Denying();
        try (Sampler s = open(JetsonSampler.probe(root, files, FakeSysfs.noCommands()))) {
            files.deny(root.resolve("sys/bus/i2c/devices/1-0040/hwmon/hwmon3/curr1_input"));
            double[] row = sample(s);
            assertTrue(Double.isNaN(row[0]));
            assertEquals(3000, row[1], 1e-9);
            assertEquals(1, s.errors().count());
            assertTrue(s.errors().first().startsWith("rail VDD_IN: permission denied"), s.errors().first());
            files.allowAll();
            assertEquals(7000, sample(s)[0], 1e-9);
        }
    }

    @Test
    void theGpuClockCapIsFlaggedWhenLockedClocksDropOrMaxFreqFalls() throws Exception {
        FakeSysfs f = FakeSysfs.orinNano(root);
        try (Sampler s = open(JetsonSampler.probe(root, SysFiles.real(), FakeSysfs.noCommands()))) {
            int events = names(s).indexOf("gpu.clock_events");
            assertEquals(0, sample(s)[events]);
            f.file("sys/class/devfreq/17000000.ga10b/cur_freq", "420750000\n");
            f.file("sys/class/devfreq/17000000.ga10b/device/load", "100\n");
            // locked clocks: a clock under 85% of the maximum is a cap whatever the load
            assertEquals(ThrottleReason.JETSON_GPU_CLOCK_CAPPED.bit(), sample(s)[events]);
        }
        f.file("sys/class/devfreq/17000000.ga10b/min_freq", "306000000\n");
        f.file("sys/class/devfreq/17000000.ga10b/cur_freq", "420750000\n");
        try (Sampler s = open(JetsonSampler.probe(root, SysFiles.real(), FakeSysfs.noCommands()))) {
            int events = names(s).indexOf("gpu.clock_events");
            assertEquals("false", s.facts().get(JetsonSampler.FACT_CLOCKS_LOCKED));
            assertEquals(0, sample(s)[events], "unlocked, 10% busy, low clock: DVFS, not a cap");
            f.file("sys/class/devfreq/17000000.ga10b/device/load", "950\n");
            assertEquals(ThrottleReason.JETSON_GPU_CLOCK_CAPPED.bit(), sample(s)[events], "95% busy at 67% clock");
            f.file("sys/class/devfreq/17000000.ga10b/device/load", "100\n");
            f.file("sys/class/devfreq/17000000.ga10b/max_freq", "510000000\n");
            assertEquals(ThrottleReason.JETSON_GPU_CLOCK_CAPPED.bit(), sample(s)[events], "max_freq lowered below its value at open");
        }
    }

    @Test
    void powerModeAndClockLockAreParsedFromTheToolsOutput() {
        assertEquals("15W (mode 2)", JetsonSampler.parsePowerMode(new CommandRunner.Result(0, "NV Power Mode: 15W\n2\n", null)));
        assertEquals("MAXN", JetsonSampler.parsePowerMode(new CommandRunner.Result(0, "x\nNV Power Mode: MAXN\n", null)));
        assertNull(JetsonSampler.parsePowerMode(new CommandRunner.Result(0, "usage: nvpmodel\n", null)));
        assertNull(JetsonSampler.parsePowerMode(CommandRunner.Result.failed("nvpmodel not found")));
        String locked = """
                cpu0: Online=1 Governor=schedutil MinFreq=2201600 MaxFreq=2201600 CurrentFreq=2201600 IdleStates: WFI=0 c7=0
                cpu1: Online=0 Governor=schedutil MinFreq=729600 MaxFreq=2201600 CurrentFreq=729600
                GPU MinFreq=1300500000 MaxFreq=1300500000 CurrentFreq=1300500000
                """;
        assertEquals("locked: GPU 1300.5-1300.5 MHz, 1 of 1 online CPUs at a fixed clock", JetsonProbe.lockedFromJetsonClocks(locked));
        assertNull(JetsonProbe.lockedFromJetsonClocks("jetson_clocks: must be run as root\n"));
    }

    @Test
    void aNonZeroExitOfTheToolsIsReportedNotParsed() {
        FakeSysfs.orinNano(root);
        CommandRunner tools = FakeSysfs.commands(Map.of(
                "nvpmodel", new CommandRunner.Result(1, "NVPM ERROR: failed to open /etc/nvpmodel.conf\n", null),
                "jetson_clocks", CommandRunner.Result.failed("jetson_clocks --show did not finish within 5000 ms")));
        try (Sampler s = open(JetsonSampler.probe(root, SysFiles.real(), tools))) {
            String mode = s.facts().get(JetsonSampler.FACT_POWER_MODE);
            assertTrue(mode.contains("exit status 1: NVPM ERROR: failed to open /etc/nvpmodel.conf"), mode);
            assertTrue(mode.contains("did not finish within 5000 ms"), mode);
        }
    }
}
