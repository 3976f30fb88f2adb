package dev.edgebench.telemetry;

import dev.edgebench.telemetry.nvml.NvmlProvider;
import dev.edgebench.telemetry.nvml.NvmlSampler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Telemetry on the machine the tests run on, for GPU servers and Jetson boards: each test is
 * skipped where its hardware is absent, and checks plausible readings where it is present.
 * Tagged {@code native} (real hardware); run with {@code make test}, or alone with
 * {@code mvn verify -Dtest=RealHardwareTest}.
 */
@Tag("native")
class RealHardwareTest {
    private static WindowSummary window(Sampler s, long millis) throws InterruptedException {
        try (SamplerSet set = SamplerSet.of(List.of(s))) {
            WindowAccumulator w = WindowAccumulator.of(set);
            double[] row = new double[set.width()];
            for (int i = 0; i <= 10; i++) {
                long t = System.nanoTime();
                long cost = set.sample(row);
                w.add(t, row, cost, set.lastWallNsBy());
                Thread.sleep(millis / 10);
            }
            assertEquals(0, s.errors().count(), () -> "read errors: " + s.errors().first());
            return w.summary();
        }
    }

    @Test
    void nvmlOnAGpuServerReadsPowerEnergyClockAndTemperature() throws Exception {
        Probe p = NvmlSampler.probe(NvmlProvider.system());
        assumeTrue(p instanceof Probe.Available, () -> "no usable NVML here: " + ((Probe.Unavailable) p).reason());
        Sampler s = ((Probe.Available) p).sampler();
        PowerSource power = s.powerSource();
        WindowSummary w = window(s, 1500);
        assertTrue(power != null, "NVML without power or energy: " + s.notes());
        assertTrue(w.powerAvgW() > 5 && w.powerAvgW() < 5000, "mean power " + w.powerAvgW() + " W over " + w.durationS() + " s");
        assertTrue(w.tempMaxC() > 0 && w.tempMaxC() < 120, "temperature " + w.tempMaxC());
        assertTrue(w.gpuClockMaxMhz() > 0, "SM clock " + w.gpuClockMaxMhz());
        if (power.domains().stream().allMatch(d -> d.energyChannel() >= 0)) {
            assertEquals(WindowSummary.EnergySource.COUNTER, w.energySource());
        }
    }

    @Test
    void jetsonSysfsOnAJetsonReadsRailsAndTheGpuClock() throws Exception {
        Probe p = JetsonSampler.probe(Path.of("/"), SysFiles.real(), CommandRunner.system());
        assumeTrue(p instanceof Probe.Available, () -> "not a Jetson: " + ((Probe.Unavailable) p).reason());
        Sampler s = ((Probe.Available) p).sampler();
        assertTrue(s.powerSource() != null, "no readable INA3221 rail: " + s.notes());
        WindowSummary w = window(s, 1000);
        assertTrue(w.powerAvgW() > 0.5 && w.powerAvgW() < 200, "board power " + w.powerAvgW() + " W");
        assertTrue(s.facts().containsKey(JetsonSampler.FACT_POWER_MODE), s.facts().toString());
        assertTrue(List.of("true", "false", "unknown").contains(s.facts().get(JetsonSampler.FACT_CLOCKS_LOCKED)), s.facts().toString());
    }
}
