package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code forge} and {@code facts} as a user runs them, in a fresh JVM with the built engine. */
@Tag("native")
class ModelCommandsNativeTest {
    @TempDir
    Path models;

    private TestSupport.Result main(String... args) {
        return TestSupport.run(TestSupport.javaCommand(List.of("-Dedgebench.models=" + models,
                "-Dedgebench.native.dir=" + TestSupport.nativeBuildDir()), "dev.edgebench.cli.Main", args), 120);
    }

    @Test
    void forgeThenFacts() throws Exception {
        TestSupport.Result forged = main("forge", "edgebench-tiny:Q4_0@11");
        assertEquals(0, forged.exitCode(), forged::toString);
        Path file = models.resolve("edgebench-tiny/edgebench-tiny-Q4_0-seed11-v1.gguf");
        assertTrue(forged.stdout().startsWith("edgebench-tiny:Q4_0@11\t" + file + "\t"), forged.stdout());

        TestSupport.Result facts = main("facts", "edgebench-tiny:Q4_0@11");
        assertEquals(0, facts.exitCode(), facts::toString);
        JsonNode j = new ObjectMapper().readTree(facts.stdout());
        assertEquals(file.toString(), j.path("path").asText());
        assertEquals("Q4_0", j.path("fileType").asText());
        assertEquals(4_227_392, j.path("parameters").asLong());
        assertTrue(j.path("synthetic").asBoolean());
        assertEquals("", facts.stderr(), "cached: nothing forged again");

        // the same bytes in this JVM as in the CLI's: forging depends on nothing but name, type and seed
        Path here = TestSupport.forge(models.resolve("in-process"), TestSupport.TINY, "Q4_0", 11);
        assertEquals(TestSupport.sha256(file), TestSupport.sha256(here));
    }

    @Test
    void withoutTheEngineTheErrorListsEveryPlaceTried() throws Exception {
        Path build = java.nio.file.Files.createDirectories(models.resolve("empty-build"));
        Path jlp = java.nio.file.Files.createDirectories(models.resolve("jlp"));
        TestSupport.Result r = TestSupport.run(TestSupport.javaCommand(List.of("-Dedgebench.models=" + models.resolve("cache"),
                        "-Dedgebench.native.dir=" + build, "-Djava.library.path=" + jlp), "dev.edgebench.cli.Main", "forge",
                "edgebench-tiny:Q4_0"), 120, List.of("EDGEBENCH_NATIVE_LIB", "EDGEBENCH_PROFILE"));
        assertEquals(2, r.exitCode(), r::toString);
        String lib = System.mapLibraryName("llama");
        for (String line : new String[] {"llama.cpp libraries could not be loaded. Tried, in order:",
                "  - edgebench.native.lib / EDGEBENCH_NATIVE_LIB: not set",
                "  - " + build.resolve("cuda/lib") + " [profile cuda]: no such folder",
                "  - " + build.resolve("jetson-thor/lib") + " [profile jetson-thor]: no such folder",
                "  - " + build.resolve("jetson-orin/lib") + " [profile jetson-orin]: no such folder",
                "  - " + build.resolve("cpu/lib") + " [profile cpu]: no such folder",
                "  - " + jlp + " [java.library.path]: no " + lib}) {
            assertTrue(r.stderr().contains(line + "\n"), "'" + line + "' in:\n" + r.stderr());
        }
        assertTrue(r.stderr().contains("forge: the engine's quantizer could not make edgebench-tiny Q4_0"), r.stderr());
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
        assertEquals(List.of(), TestSupport.filesUnder(models.resolve("cache")), "nothing left behind");
    }

    @Test
    void aTypeTheEngineRefusesIsAnErrorNotAStackTrace() {
        TestSupport.Result r = main("forge", "edgebench-tiny:IQ2_XXS");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("forge: the engine's quantizer could not make edgebench-tiny IQ2_XXS: llama_model_quantize"
                + " returned 1; IQ2_XXS needs an importance matrix"), r.stderr());
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
        assertEquals(List.of(), TestSupport.filesUnder(models), "nothing left behind");
    }
}
