package dev.edgebench.telemetry.nvml;

import dev.edgebench.telemetry.Channel;
import dev.edgebench.telemetry.Probe;
import dev.edgebench.telemetry.Sampler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real binding path (generated {@code Nvml} downcalls, struct versions, handles passed by
 * value, strings) against a stand-in library compiled from {@code fake_nvml.c}: what runs on a GPU
 * machine, minus the driver. Needs a C compiler ({@code cc}); skipped without one, and skipped
 * where a real NVML is installed (both in one JVM would share the bound symbols; there
 * {@code RealHardwareTest} checks the bindings against the driver).
 */
class NvmlNativeTest {
    @TempDir
    static Path dir;
    static Path library;
    static MethodHandle setMode;
    static MethodHandle initialised;

    @BeforeAll
    static void compileTheStandIn() throws Exception {
        try {
            Path real = NvmlLibrary.load();
            assumeTrue(false, "a real NVML is installed (" + real + "): RealHardwareTest covers the bindings here");
        } catch (NvmlUnavailableException expected) {
            // no driver: the stand-in can be loaded
        }
        Path source = dir.resolve("fake_nvml.c");
        try (InputStream in = NvmlNativeTest.class.getResourceAsStream("fake_nvml.c")) {
            Files.copy(in, source);
        }
        library = dir.resolve("libnvidia-ml.so.1");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", library.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no C compiler (cc) to build the NVML stand-in: " + e.getMessage());
            return;
        }
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc timed out");
        String log = new String(cc.getInputStream().readAllBytes());
        assertEquals(0, cc.exitValue(), "cc failed: " + log);
        assertEquals(library, NvmlLibrary.load(new NvmlLibrary.Search(library.toString(), List.of())));
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        setMode = Linker.nativeLinker().downcallHandle(lookup.find("fake_nvml_set_mode").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        initialised = Linker.nativeLinker().downcallHandle(lookup.find("fake_nvml_initialised").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    @Test
    void twoGpusAreReadThroughTheGeneratedBindings() throws Throwable {
        setMode.invokeExact(0);
        Probe p = NvmlSampler.probe(() -> new NvmlNative(library));
        try (Sampler s = assertInstanceOf(Probe.Available.class, p, () -> "unavailable: " + p).sampler()) {
            assertEquals(List.of("gpu0.power", "gpu0.energy", "gpu0.clock.sm", "gpu0.clock.mem", "gpu0.temp", "gpu0.clock_events",
                    "gpu0.memory.used", "gpu1.power", "gpu1.energy", "gpu1.clock.sm", "gpu1.clock.mem", "gpu1.temp",
                    "gpu1.clock_events", "gpu1.memory.used"), s.channels().stream().map(Channel::name).toList());
            assertEquals("580.159.04", s.facts().get("driver_version"));
            assertEquals("Fake H100 zero, power limit 700.0 W", s.facts().get("gpu0"));
            assertEquals("Fake H100 one, power limit 700.0 W", s.facts().get("gpu1"));
            assertTrue(s.facts().get("library").contains("temperature: nvmlDeviceGetTemperatureV"), s.facts().get("library"));
            double[] row = new double[14];
            s.sample(row, 0);
            // the probe read each counter once (+35 J), this sample again (+35 J)
            assertArrayEquals(new double[]{350_000, 1_070_000, 1980, 2619, 45, 0x1, 3L << 30,
                    351_000, 2_070_000, 1980, 2619, 46, 0x24, (3L << 30) + 1}, row);
            assertEquals(0, s.errors().count(), () -> s.errors().first());
            assertEquals(1, (int) initialised.invokeExact());
        }
        assertEquals(0, (int) initialised.invokeExact(), "nvmlShutdown was called once per nvmlInit_v2");
    }

    @Test
    void jetsonModeIsUnavailableWithNotSupported() throws Throwable {
        setMode.invokeExact(1);
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> new NvmlNative(library)));
        assertTrue(u.reason().contains("gpu0 (Orin (nvgpu)): power NVML_ERROR_NOT_SUPPORTED"), u.reason());
        assertEquals(0, (int) initialised.invokeExact());
    }

    @Test
    void noDriverIsUnavailableWithTheLibrarysOwnMessage() throws Throwable {
        setMode.invokeExact(2);
        Probe.Unavailable u = assertInstanceOf(Probe.Unavailable.class, NvmlSampler.probe(() -> new NvmlNative(library)));
        assertTrue(u.reason().startsWith("nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED (Driver Not Loaded) (library "
                + library), u.reason());
    }
}
