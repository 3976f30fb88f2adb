package dev.edgebench.telemetry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.edgebench.telemetry.FakeSysfs.names;
import static dev.edgebench.telemetry.FakeSysfs.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThermalSamplerTest {
    @TempDir
    Path root;

    @Test
    void zonesAreReadInDegreesAndAbsentSensorsAreSkipped() {
        FakeSysfs.agxOrin(root);
        try (Sampler s = assertInstanceOf(Probe.Available.class, ThermalSampler.probe(root, SysFiles.real())).sampler()) {
            assertEquals(List.of("zone.cpu-thermal.temp", "zone.gpu-thermal.temp"), names(s));
            assertArrayEquals(new double[]{45.5, 47.0}, sample(s), 1e-9);
            assertTrue(s.notes().contains("thermal_zone2 (CV0-thermal): reads -256 C, sensor absent; skipped"), s.notes().toString());
        }
    }

    @Test
    void anUnreadableZoneIsNotedAndDuplicateTypesGetASuffix() throws Exception {
        FakeSysfs f = new FakeSysfs(root).zone(0, "soc-thermal", 40_000).zone(1, "soc-thermal", 41_000).zone(2, "acpitz", 30_000);
        Path temp = root.resolve("sys/class/thermal/thermal_zone2/temp");
        Files.delete(temp);
        Files.createDirectory(temp);
        try (Sampler s = assertInstanceOf(Probe.Available.class, ThermalSampler.probe(f.root, SysFiles.real())).sampler()) {
            assertEquals(List.of("zone.soc-thermal.temp", "zone.soc-thermal#2.temp"), names(s));
            assertTrue(s.notes().stream().anyMatch(n -> n.startsWith("thermal_zone2 (acpitz): " + temp + ": ")), s.notes().toString());
            f.file("sys/class/thermal/thermal_zone1/temp", "-256000\n");
            double[] row = sample(s);
            assertEquals(40.0, row[0], 1e-9);
            assertTrue(Double.isNaN(row[1]), "a zone that turns absent reads NaN");
        }
    }

    @Test
    void noZonesAndAllDeniedAreUnavailableWithTheReason() {
        Probe.Unavailable none = assertInstanceOf(Probe.Unavailable.class, ThermalSampler.probe(root, SysFiles.real()));
        assertEquals("no " + root.resolve("sys/class/thermal") + "/thermal_zone*", none.reason());
        new FakeSysfs(root).zone(0, "cpu-thermal", 45_000);
        FakeSysfs.Denying files = new FakeSysfs.Denying().deny(root.resolve("sys/class/thermal/thermal_zone0/temp"));
        Probe.Unavailable denied = assertInstanceOf(Probe.Unavailable.class, ThermalSampler.probe(root, files));
        assertTrue(denied.reason().startsWith("1 thermal zone(s) under"), denied.reason());
        assertTrue(denied.reason().endsWith("thermal_zone0/temp: permission denied"), denied.reason());
    }
}
