package dev.edgebench.telemetry.nvml;

import dev.edgebench.bindings.nvml.Nvml;
import dev.edgebench.telemetry.Channel;
import dev.edgebench.telemetry.PowerDomain;
import dev.edgebench.telemetry.PowerSource;
import dev.edgebench.telemetry.Probe;
import dev.edgebench.telemetry.Sampler;
import dev.edgebench.telemetry.SamplerSet;
import dev.edgebench.telemetry.ThrottleReason;
import dev.edgebench.telemetry.WindowAccumulator;
import dev.edgebench.telemetry.WindowSummary;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NvmlSamplerTest {
    /** An H100 as NVML reported it under a decode load: 1 s-averaged power, the energy counter, a power cap late on. */
    private static RecordedNvml h100() {
        RecordedNvml n = new RecordedNvml();
        n.names.add("NVIDIA H100 80GB HBM3");
        return n.record(0, "power", 350_000, 360_000, 370_000, 380_000)
                .record(0, "limit", 700_000)
                .record(0, "energy", 1_000_000, 1_035_000, 1_071_000, 1_108_500)
                .record(0, "sm", 1980, 1980, 1755, 1980)
                .record(0, "mem", 2619)
                .record(0, "temp", 45, 52, 61, 58)
                .record(0, "reasons", 0, 0, ThrottleReason.SW_POWER_CAP.bit(), 0)
                .record(0, "memory", 3L << 30);
    }

    private static Sampler open(NvmlApi api) {
        Probe p = NvmlSampler.probe(() -> api);
        return assertInstanceOf(Probe.Available.class, p, () -> "unavailable: " + p).sampler();
    }

    @Test
    void everySupportedMetricIsAChannelAndTheEnergyCounterIsTheSource() {
        RecordedNvml api = h100();
        try (Sampler s = open(api)) {
            assertEquals(List.of("gpu0.power", "gpu0.energy", "gpu0.clock.sm", "gpu0.clock.mem", "gpu0.temp", "gpu0.clock_events",
                    "gpu0.memory.used"), s.channels().stream().map(Channel::name).toList());
            PowerSource p = s.powerSource();
            assertEquals(PowerSource.Scope.GPU, p.scope());
            assertEquals(List.of(new PowerDomain("gpu0", 0, 1, 0)), p.domains());
            assertEquals("NVML gpu0 (energy counter)", p.description());
            assertEquals("NVIDIA H100 80GB HBM3, power limit 700.0 W", s.facts().get("gpu0"));
            assertEquals("580.159.04", s.facts().get("driver_version"));
            // the probe consumed the first answer of each call; sampling continues the recording
            double[] row = new double[7];
            s.sample(row, 0);
            assertArrayEquals(new double[]{360_000, 1_035_000, 1980, 2619, 52, 0, 3L << 30}, row);
        }
        assertEquals(1, api.shutdowns);
        assertTrue(api.closed);
    }

    @Test
    void aWindowOverRecordedReadingsUsesTheCounterAndSeesThePowerCap() {
        try (SamplerSet set = SamplerSet.of(List.of(open(h100())))) {
            WindowAccumulator w = WindowAccumulator.of(set);
            double[] row = new double[set.width()];
            for (int i = 0; i < 3; i++) {
                long cost = set.sample(row);
                w.add(i * 100_000_000L, row, cost, set.lastWallNsBy());
            }
            WindowSummary s = w.summary();
            // counter 1_035_000 -> 1_071_000 -> 1_108_500 mJ
            assertEquals(73.5, s.energyJ(), 1e-9);
            assertEquals(WindowSummary.EnergySource.COUNTER, s.energySource());
            assertEquals(367.5, s.powerAvgW(), 1e-9);
            assertEquals(380.0, s.powerPeakW(), 1e-9);
            assertEquals(61.0, s.tempMaxC());
            assertEquals(1755.0, s.gpuClockMinMhz());
            assertTrue(s.throttled());
            assertEquals(List.of("SW_POWER_CAP"), ThrottleReason.names(s.clockEventReasons()));
        }
    }

    @Test
    void anEnergyCounterResetFallsBackToThePowerReadingsForThatInterval() {
        RecordedNvml api = h100();
        api.answers.remove("0/energy");
        api.record(0, "energy", 9_000_000, 9_035_000, 2_000, 38_000);
        try (SamplerSet set = SamplerSet.of(List.of(open(api)))) {
            WindowAccumulator w = WindowAccumulator.of(set);
            double[] row = new double[set.width()];
            for (int i = 0; i < 3; i++) {
                set.sample(row);
                w.add(i * 100_000_000L, row, 0, set.lastWallNsBy());
            }
            WindowSummary s = w.summary();
            // (360000+370000)/2 mW * 0.1 s = 36500 mJ (reset interval, integrated) + 36000 mJ (counter)
            assertEquals(72.5, s.energyJ(), 1e-9);
            assertEquals(1, s.counterResets());
            assertEquals(WindowSummary.EnergySource.COUNTER_AND_INTEGRATED, s.energySource());
        }
    }

    @Test
    void jetsonsNvmlAnswersNotSupportedToEverythingAndIsUnavailable() {
        RecordedNvml api = new RecordedNvml();
        api.names.add("Orin (nvgpu)");
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> api));
        assertTrue(u.reason().contains("initialised and sees 1 GPU(s), but no metric is readable"), u.reason());
        assertTrue(u.reason().contains("codes seen: NVML_ERROR_NOT_SUPPORTED"), u.reason());
        assertTrue(u.reason().contains("gpu0 (Orin (nvgpu)): power NVML_ERROR_NOT_SUPPORTED, energy NVML_ERROR_NOT_SUPPORTED"), u.reason());
        assertEquals(1, api.shutdowns, "NVML is shut down again");
        assertTrue(api.closed);
    }

    @Test
    void initFailureAndNoGpuAreUnavailableWithTheCode() {
        RecordedNvml noDriver = new RecordedNvml();
        noDriver.initCode = Nvml.NVML_ERROR_DRIVER_NOT_LOADED();
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> noDriver));
        assertEquals("nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED (Driver Not Loaded) (library recorded readings)", u.reason());

        RecordedNvml none = new RecordedNvml();
        none.deviceCount = 0;
        u = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> none));
        assertEquals("NVML (driver 580.159.04) sees no GPU", u.reason());
        assertEquals(1, none.shutdowns);
    }

    @Test
    void aMissingLibraryIsUnavailableWithEveryPlaceTried() {
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> {
            throw new NvmlUnavailableException(List.of("/usr/lib64: no libnvidia-ml.so.1 or libnvidia-ml.so"));
        }));
        assertTrue(u.reason().contains("not loadable from any of 1 place(s); tried, in order:\n  - /usr/lib64: no libnvidia-ml.so.1"), u.reason());
        Probe.Unavailable linkage = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> {
            throw new UnsatisfiedLinkError("unresolved symbol: nvmlInit_v2");
        }));
        assertEquals("NVML could not be opened: UnsatisfiedLinkError: unresolved symbol: nvmlInit_v2", linkage.reason());
    }

    @Test
    void aMetricWithoutPermissionIsLeftOutAndNoted() {
        RecordedNvml api = h100();
        api.answers.remove("0/energy");
        api.fail(0, "energy", Nvml.NVML_ERROR_NO_PERMISSION());
        try (Sampler s = open(api)) {
            assertEquals(6, s.channels().size());
            assertEquals(List.of(new PowerDomain("gpu0", 0, -1, 0)), s.powerSource().domains());
            assertEquals("NVML gpu0 (power readings)", s.powerSource().description());
            assertTrue(s.notes().contains("gpu0 (NVIDIA H100 80GB HBM3): not readable: energy NVML_ERROR_NO_PERMISSION"), s.notes().toString());
        }
    }

    @Test
    void aGpuLostWhileSamplingGivesNanAndCounts() {
        RecordedNvml api = h100();
        api.answers.get("0/power").add(1, new RecordedNvml.Answer(Nvml.NVML_ERROR_GPU_IS_LOST(), 0));
        try (Sampler s = open(api)) {
            double[] row = new double[s.channels().size()];
            s.sample(row, 0);
            assertTrue(Double.isNaN(row[0]));
            assertEquals(1, s.errors().count());
            assertEquals("gpu0 power: NVML_ERROR_GPU_IS_LOST", s.errors().first());
        }
    }

    @Test
    void twoGpusAreTwoDomains() {
        RecordedNvml api = h100();
        api.deviceCount = 2;
        api.names.add("NVIDIA H100 80GB HBM3");
        api.record(1, "power", 100_000).record(1, "energy", 5);
        try (Sampler s = open(api)) {
            assertEquals(List.of(new PowerDomain("gpu0", 0, 1, 0), new PowerDomain("gpu1", 7, 8, 0)), s.powerSource().domains());
            assertEquals("NVML gpu0 + gpu1 (energy counter)", s.powerSource().description());
        }
    }

    @Test
    void returnCodesAreNamed() {
        assertEquals("NVML_ERROR_NOT_SUPPORTED", NvmlReturn.name(3));
        assertEquals("NVML_ERROR_GPU_IS_LOST", NvmlReturn.name(15));
        assertEquals("nvmlReturn_t(12345)", NvmlReturn.name(12345));
    }
}
