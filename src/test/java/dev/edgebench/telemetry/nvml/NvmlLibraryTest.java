package dev.edgebench.telemetry.nvml;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NvmlLibraryTest {
    @TempDir
    Path dir;

    @Test
    void everyPlaceTriedIsListedWithWhatWasWrongThere() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path broken = Files.createDirectory(dir.resolve("broken"));
        // an ELF file that is no shared library: the JVM's own launcher
        Files.copy(Path.of(System.getProperty("java.home"), "bin", "java"), broken.resolve("libnvidia-ml.so.1"));
        Path stubs = Files.createDirectories(dir.resolve("cuda/lib64/stubs"));
        Files.writeString(stubs.resolve("libnvidia-ml.so"), "stub");
        Path missing = dir.resolve("missing");
        NvmlUnavailableException e = assertThrows(NvmlUnavailableException.class,
                () -> NvmlLibrary.load(new NvmlLibrary.Search(null, List.of(empty, broken, stubs, missing))));
        List<String> tried = e.tried();
        assertEquals(4, tried.size(), tried.toString());
        assertEquals(empty + ": no libnvidia-ml.so.1 or libnvidia-ml.so", tried.get(0));
        assertTrue(tried.get(1).startsWith(broken.resolve("libnvidia-ml.so.1") + ": loading failed: "), tried.get(1));
        assertEquals(stubs + ": skipped (CUDA link-time stub, no driver behind it)", tried.get(2));
        assertEquals(missing + ": no such folder", tried.get(3));
        assertTrue(e.getMessage().contains("Set edgebench.nvml.lib"), e.getMessage());
    }

    @Test
    void anExplicitFileIsTheOnlyPlaceTried() {
        Path nowhere = dir.resolve("libnvidia-ml.so.1");
        NvmlUnavailableException e = assertThrows(NvmlUnavailableException.class,
                () -> NvmlLibrary.load(new NvmlLibrary.Search(nowhere.toString(), List.of(dir))));
        assertEquals(List.of(nowhere + " [edgebench.nvml.lib / EDGEBENCH_NVML_LIB]: no such file"), e.tried());
    }

    @Test
    void ldSoConfFoldersAndIncludesAreFollowed() throws Exception {
        Path confD = Files.createDirectory(dir.resolve("ld.so.conf.d"));
        Files.writeString(confD.resolve("nvidia-tegra.conf"), "/usr/lib/aarch64-linux-gnu/tegra\n");
        Files.writeString(confD.resolve("zz-cuda.conf"), "# CUDA compat\n/usr/local/cuda/compat\n");
        Files.writeString(confD.resolve("readme.txt"), "/not/included\n");
        Path conf = dir.resolve("ld.so.conf");
        Files.writeString(conf, "include " + confD + "/*.conf\n/opt/lib  # trailing comment\n\n");
        assertEquals(List.of(Path.of("/usr/lib/aarch64-linux-gnu/tegra"), Path.of("/usr/local/cuda/compat"), Path.of("/opt/lib")),
                NvmlLibrary.ldSoConfDirs(conf, 0));
    }
}
