package dev.edgebench.engine.llama;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader's search order and its error message, exercised without loading any library. */
class NativeLibrariesSearchTest {
    private static final String LLAMA = System.mapLibraryName("llama");
    private static final String GGML = System.mapLibraryName("ggml");
    private static final String GGML_BASE = System.mapLibraryName("ggml-base");

    @TempDir
    Path tmp;

    private static void fakeSet(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.writeString(dir.resolve(n), "not a real library");
        }
    }

    @Test
    void explicitFolderIsTheOnlyPlaceTriedAndNamedInTheMessage() {
        Path missing = tmp.resolve("no-such-lib-dir");
        NativeLibraries.NativeLibraryException e = assertThrows(NativeLibraries.NativeLibraryException.class,
                () -> NativeLibraries.search(new NativeLibraries.Sources(missing.toString(), tmp.resolve("build"), null, "")));
        assertEquals(List.of(missing + " [explicit]: no such folder"), e.tried());
        assertTrue(e.getMessage().contains(missing + " [explicit]: no such folder"), e.getMessage());
        assertTrue(e.getMessage().contains("edgebench.native.lib"), e.getMessage());
    }

    @Test
    void explicitRegularFileAndIncompleteFolderAreExplained() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        var e1 = assertThrows(NativeLibraries.NativeLibraryException.class,
                () -> NativeLibraries.search(new NativeLibraries.Sources(file.toString(), tmp, null, "")));
        assertEquals(List.of(file + " [explicit]: not a folder"), e1.tried());

        Path partial = tmp.resolve("partial");
        fakeSet(partial, GGML_BASE, GGML);
        var e2 = assertThrows(NativeLibraries.NativeLibraryException.class,
                () -> NativeLibraries.search(new NativeLibraries.Sources(partial.toString(), tmp, null, "")));
        assertEquals(List.of(partial + " [explicit]: folder exists but has no " + LLAMA), e2.tried());
    }

    @Test
    void withoutExplicitFolderEveryDefaultProfileThenJavaLibraryPathIsListedInOrder() throws IOException {
        Path build = tmp.resolve("build");
        fakeSet(build.resolve("cuda/lib"), GGML_BASE); // present but incomplete
        Path jlpWithout = Files.createDirectories(tmp.resolve("jlp-empty"));
        Path jlpMissing = tmp.resolve("jlp-missing");
        Path jlpIncomplete = tmp.resolve("jlp-incomplete");
        fakeSet(jlpIncomplete, LLAMA);
        String jlp = String.join(File.pathSeparator, jlpWithout.toString(), "", jlpMissing.toString(), jlpIncomplete.toString());

        var e = assertThrows(NativeLibraries.NativeLibraryException.class,
                () -> NativeLibraries.search(new NativeLibraries.Sources(null, build, null, jlp)));
        assertEquals(List.of(
                "edgebench.native.lib / EDGEBENCH_NATIVE_LIB: not set",
                build.resolve("cuda/lib") + " [profile cuda]: folder exists but has no " + GGML,
                build.resolve("jetson-thor/lib") + " [profile jetson-thor]: no such folder",
                build.resolve("jetson-orin/lib") + " [profile jetson-orin]: no such folder",
                build.resolve("cpu/lib") + " [profile cpu]: no such folder",
                jlpWithout + " [java.library.path]: no " + LLAMA,
                jlpMissing + " [java.library.path]: no " + LLAMA,
                jlpIncomplete + " [java.library.path]: folder exists but has no " + GGML_BASE), e.tried());
        for (String line : e.tried()) {
            assertTrue(e.getMessage().contains("\n  - " + line), "message lists " + line + ":\n" + e.getMessage());
        }
        assertEquals(NativeLibraries.DEFAULT_PROFILES, List.of("cuda", "jetson-thor", "jetson-orin", "cpu"));
    }

    @Test
    void aNamedProfileReplacesTheDefaultList() {
        Path build = tmp.resolve("build");
        var e = assertThrows(NativeLibraries.NativeLibraryException.class,
                () -> NativeLibraries.search(new NativeLibraries.Sources(null, build, "cuda-avx512", "")));
        assertEquals(List.of("edgebench.native.lib / EDGEBENCH_NATIVE_LIB: not set",
                build.resolve("cuda-avx512/lib") + " [profile cuda-avx512]: no such folder"), e.tried());
    }

    @Test
    void aCompleteSetIsFoundWithoutLoadingAndEarlierPlacesKeepTheirReasons() throws IOException {
        // the files are text: System.load would throw UnsatisfiedLinkError, so returning normally means nothing was loaded
        Path build = tmp.resolve("build");
        fakeSet(build.resolve("cpu/lib"), GGML_BASE, GGML, LLAMA, System.mapLibraryName("ggml-cpu"));
        List<NativeLibraries.Place> places = NativeLibraries.search(new NativeLibraries.Sources(null, build, null, ""));
        NativeLibraries.Place cpu = places.stream().filter(p -> p.problem() == null).findFirst().orElseThrow();
        assertEquals(build.resolve("cpu/lib"), cpu.dir());
        assertEquals("cpu", cpu.profile());
        assertEquals("no such folder", places.get(1).problem()); // cuda, tried first
    }

    @Test
    void explicitFolderWithTheSetWins() throws IOException {
        Path dir = tmp.resolve("mine");
        fakeSet(dir, GGML_BASE, GGML, LLAMA);
        Path build = tmp.resolve("build");
        fakeSet(build.resolve("cpu/lib"), GGML_BASE, GGML, LLAMA);
        List<NativeLibraries.Place> places = NativeLibraries.search(new NativeLibraries.Sources(dir.toString(), build, null, ""));
        assertEquals(1, places.size());
        assertEquals(dir, places.get(0).dir());
        assertEquals("explicit", places.get(0).profile());
    }

    @Test
    void locateFindsAnotherLibraryBesideTheLlamaSetAndListsEveryPlaceWhenAbsent() throws IOException {
        String shim = "libedgebench_request_llama.so";
        Path build = tmp.resolve("build");
        fakeSet(build.resolve("cuda/lib"), GGML_BASE, GGML, LLAMA);        // the set, without the shim
        fakeSet(build.resolve("cpu/lib"), GGML_BASE, GGML, LLAMA, shim);   // the set with it
        var sources = new NativeLibraries.Sources(null, build, null, "");
        assertEquals(build.resolve("cpu/lib").resolve(shim), NativeLibraries.locate(shim, null, sources));

        var loaded = new NativeLibraries.Loaded(build.resolve("cuda/lib"), "cuda", "test", List.of());
        var e = assertThrows(NativeLibraries.NativeLibraryException.class,
                () -> NativeLibraries.locate("libedgebench_request_trtllm.so", loaded, sources));
        assertTrue(e.getMessage().startsWith("libedgebench_request_trtllm.so could not be found"), e.getMessage());
        assertEquals(build.resolve("cuda/lib") + " [loaded llama.cpp set]: no libedgebench_request_trtllm.so", e.tried().getFirst());
        assertTrue(e.tried().contains(build.resolve("cpu/lib") + " [profile cpu]: has the llama.cpp libraries but no libedgebench_request_trtllm.so"),
                e.tried().toString());
        assertTrue(e.tried().contains(build.resolve("jetson-thor/lib") + " [profile jetson-thor]: no such folder"), e.tried().toString());
    }
}
