package dev.edgebench.model;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A model whose architecture the engine build does not know is refused up front, naming the build
 * and listing what it supports; the list comes from the engine source the build compiled.
 */
class EngineArchitecturesTest {
    @TempDir
    Path tmp;

    private Path build(String... names) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("build/cpu"));
        Files.writeString(dir.resolve(EngineArchitectures.FILE), "# a comment\n" + String.join("\n", names) + "\n");
        return dir;
    }

    private Path model(String arch) throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", arch));
        w.addTensor("token_embd.weight", new long[] {32, 4}, GgmlType.F32,
                (info, out) -> GgufWriter.writeFully(out, ByteBuffer.allocate((int) info.nBytes())));
        Path p = tmp.resolve(arch + ".gguf");
        w.write(p);
        return p;
    }

    @Test
    void aFileOfAnUnknownArchitectureIsRefusedWithTheSupportedList() throws IOException {
        Path build = build("qwen3", "llama", "gemma2");
        Path file = model("nosucharch");
        Models.Ref ref = Models.parse(file.toString(), Catalog.builtin());
        EngineArchitectures.UnsupportedArchitectureException e = assertThrows(
                EngineArchitectures.UnsupportedArchitectureException.class, () -> Models.checkArchitecture(ref, build));
        assertEquals(file + ": architecture nosucharch is not supported by the engine build at " + build
                + "; supported: gemma2, llama, qwen3", e.getMessage());
        assertEquals("nosucharch", e.architecture());
        assertEquals(List.of("gemma2", "llama", "qwen3"), e.supported());
        assertEquals("llama", Models.checkArchitecture(Models.parse(model("llama").toString(), Catalog.builtin()), build));
    }

    @Test
    void aCatalogModelIsCheckedFromTheCatalogWithoutForging() throws IOException {
        Path cache = tmp.resolve("models");
        String before = System.getProperty("edgebench.models");
        System.setProperty("edgebench.models", cache.toString());
        try {
            Models.Ref ref = Models.parse("Qwen3-0.6B:Q4_0", Catalog.builtin());
            assertEquals("qwen3", Models.checkArchitecture(ref, build("llama", "qwen3")));
            String m = assertThrows(IllegalArgumentException.class, () -> Models.checkArchitecture(ref, build("llama")))
                    .getMessage();
            assertTrue(m.startsWith("Qwen3-0.6B:Q4_0: architecture qwen3 is not supported by the engine build at "), m);
            assertFalse(Files.exists(cache), "nothing forged");
        } finally {
            if (before == null) {
                System.clearProperty("edgebench.models");
            } else {
                System.setProperty("edgebench.models", before);
            }
        }
    }

    @Test
    void aBuildWithoutAListChecksNothing_andAnEmptyListIsABrokenBuild() throws IOException {
        Path none = Files.createDirectories(tmp.resolve("old-build"));
        assertEquals("nosucharch", Models.checkArchitecture(Models.parse(model("nosucharch").toString(), Catalog.builtin()),
                none));
        Path empty = build();
        assertThrows(IllegalStateException.class, () -> EngineArchitectures.read(empty));
    }

    @Test
    void theListComesFromThePinnedSourcesArchitectureTable() throws IOException, InterruptedException {
        Path src = TestSupport.llamaSource();
        assumeTrue(Files.isRegularFile(src.resolve("src/llama-arch.cpp")), "the pinned source is fetched by make native");
        Process p = new ProcessBuilder("bash", TestSupport.projectDir().resolve("native/architectures.sh").toString(),
                src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Files.writeString(Files.createDirectories(tmp.resolve("pinned")).resolve(EngineArchitectures.FILE), out);
        EngineArchitectures a = EngineArchitectures.read(tmp.resolve("pinned")).orElseThrow();
        // every architecture of the catalog, none of the table's placeholders
        for (Catalog.ModelSpec m : Catalog.builtin().models()) {
            assertTrue(a.supports(m.arch()), m.arch());
        }
        assertFalse(a.supports("(unknown)"));
        assertFalse(a.supports("clip"), "marked a dummy in the table");
        long inTable = Files.readAllLines(src.resolve("src/llama-arch.cpp")).stream()
                .filter(l -> l.matches("^ *\\{ *LLM_ARCH_[A-Z0-9_]+, *\".*")).count();
        assertEquals(inTable - 2, a.names().size(), "all but (unknown) and clip");
    }
}
