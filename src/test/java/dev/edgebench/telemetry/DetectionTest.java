package dev.edgebench.telemetry;

import dev.edgebench.telemetry.nvml.NvmlApi;
import dev.edgebench.telemetry.nvml.NvmlUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionTest {
    @TempDir
    Path root;

    private TelemetryConfig config() {
        return TelemetryConfig.defaults().withRoot(root).withCommands(FakeSysfs.noCommands())
                .withNvml(DetectionTest::failNvml);
    }

    private static NvmlApi failNvml() throws NvmlUnavailableException {
        throw new NvmlUnavailableException(List.of("/usr/lib64: no libnvidia-ml.so.1 or libnvidia-ml.so"));
    }

    @Test
    void anOrinNanoGetsJetsonThermalAndHostAndTheBoardPowerWins() {
        FakeSysfs.orinNano(root).procStatus(1000);
        Detection d = Detection.detect(config());
        assertEquals(List.of("jetson", "thermal", "host"), d.samplers().stream().map(Sampler::name).toList());
        assertEquals(List.of("nvml"), d.unavailable().stream().map(Probe.Unavailable::name).toList());
        try (SamplerSet set = SamplerSet.of(d.samplers())) {
            assertEquals("jetson", set.powerSampler());
            assertEquals("VDD_IN (total input rail)", set.power().description());
            assertEquals(0, set.power().domains().get(0).powerChannel());
            assertTrue(set.facts().get("jetson.power_mode").startsWith("unknown (nvpmodel -q: nvpmodel not found"), set.facts().toString());
            assertTrue(set.channels().stream().anyMatch(c -> c.name().equals("thermal.zone.tj-thermal.temp")));
            double[] row = new double[set.width()];
            long cost = set.sample(row);
            assertTrue(cost > 0);
            assertEquals(7000, row[0], 1e-9);
        }
    }

    @Test
    void aMachineWithNothingStillDetectsWithoutThrowingAndSaysWhyPerSampler() {
        FakeSysfs.none(root);
        Detection d = Detection.detect(config());
        assertEquals(List.of(), d.samplers());
        assertEquals(List.of("nvml", "jetson", "thermal", "host"), d.unavailable().stream().map(Probe.Unavailable::name).toList());
        d.unavailable().forEach(u -> assertTrue(!u.reason().isBlank(), u.name()));
        try (SamplerSet set = SamplerSet.of(d.samplers())) {
            assertEquals(0, set.width());
            assertEquals(null, set.power());
        }
    }

    @Test
    void aSamplerThatBlowsUpWhileOpeningIsUnavailableNotFatal() {
        FakeSysfs.orinNano(root).procStatus(1000);
        TelemetryConfig c = config().withNvml(() -> {
            throw new IllegalStateException("driver crashed");
        });
        Detection d = Detection.detect(c);
        assertEquals("NVML could not be opened: IllegalStateException: driver crashed", d.unavailable().get(0).reason());
        d.samplers().forEach(Sampler::close);
    }

    @Test
    void samplersCanBeDeselectedAndTelemetryTurnedOff() {
        FakeSysfs.orinNano(root).procStatus(1000);
        Detection d = Detection.detect(config().withSamplers(Set.of("host")));
        assertEquals(List.of("host"), d.samplers().stream().map(Sampler::name).toList());
        assertTrue(d.unavailable().get(1).reason().startsWith("not selected (edgebench.telemetry.samplers=host)"));
        d.samplers().forEach(Sampler::close);
        Detection off = Detection.detect(config().withEnabled(false));
        assertEquals(0, off.samplers().size());
        assertEquals("telemetry is off (edgebench.telemetry=off)", off.unavailable().get(0).reason());
        assertThrows(IllegalArgumentException.class, () -> TelemetrySession.start(config().withEnabled(false)));
    }

    @Test
    void configPropertiesAreCheckedWithTheirNames() {
        System.setProperty("edgebench.telemetry.periodMs", "250");
        System.setProperty("edgebench.telemetry.samplers", "host, thermal");
        System.setProperty("edgebench.telemetry", "off");
        try {
            TelemetryConfig c = TelemetryConfig.fromSystemProperties();
            assertEquals(Duration.ofMillis(250), c.period());
            assertEquals(Set.of("host", "thermal"), c.samplers());
            assertTrue(!c.enabled());
            System.setProperty("edgebench.telemetry.periodMs", "0");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, TelemetryConfig::fromSystemProperties);
            assertEquals("telemetry period must be 1 to 60000 ms, got 0 ms", e.getMessage());
            System.setProperty("edgebench.telemetry.periodMs", "fast");
            e = assertThrows(IllegalArgumentException.class, TelemetryConfig::fromSystemProperties);
            assertEquals("edgebench.telemetry.periodMs must be an integer, got 'fast'", e.getMessage());
            System.setProperty("edgebench.telemetry.periodMs", "100");
            System.setProperty("edgebench.telemetry.samplers", "host,rapl");
            e = assertThrows(IllegalArgumentException.class, TelemetryConfig::fromSystemProperties);
            assertTrue(e.getMessage().startsWith("unknown telemetry sampler 'rapl'"), e.getMessage());
        } finally {
            System.clearProperty("edgebench.telemetry.periodMs");
            System.clearProperty("edgebench.telemetry.samplers");
            System.clearProperty("edgebench.telemetry");
        }
    }
}
