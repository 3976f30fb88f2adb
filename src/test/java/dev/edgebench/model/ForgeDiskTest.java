package dev.edgebench.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.TestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forge and the disk: a disk that fills up while quantizing is named as such, the up-front
 * check states its margin, and what killed forges left behind is removed once its owner is gone,
 * by any later forge or by {@link ModelForge#cleanLeftovers()}, but never while its owner runs.
 */
class ForgeDiskTest {
    private static final String MINI = "test-llama-mini";
    private static final String OTHER = "test-llama-other";

    @TempDir
    Path tmp;
    private Catalog catalog;
    private final List<String> progress = new ArrayList<>();

    @BeforeEach
    void catalogWithTestModels() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = CatalogTest.builtinJson();
        ((ArrayNode) root.get("models")).add(CatalogTest.model(MINI, "llama", 1));
        ((ArrayNode) root.get("models")).add(CatalogTest.model(OTHER, "llama", 1));
        catalog = Catalog.parse(json.readTree(json.writeValueAsString(root)));
    }

    @Test
    void aDiskThatFillsUpWhileQuantizing_isNamedWithItsFolderAndFreeSpace() {
        Path cache = tmp.resolve("cache");
        AtomicInteger asked = new AtomicInteger();
        // room at the start; 3 MiB once the quantizer has written
        ModelForge.FreeSpace disk = dir -> asked.getAndIncrement() == 0 ? 100L << 30 : 3L << 20;
        Quantizer fillsTheDisk = (in, out, type, threads) -> {
            try (OutputStream o = Files.newOutputStream(out)) {
                o.write(new byte[4096]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            // what LlamaQuantizer throws when llama.cpp's ofstream hits ENOSPC
            throw new IllegalStateException("llama_model_quantize returned 1: quantization failed (in -> out as Q4_0)\n"
                    + "llama.cpp said:\n  llama_model_quantize: failed to quantize: basic_ios::clear: iostream error");
        };
        ModelForge f = new ModelForge(catalog, cache, null, fillsTheDisk, progress::add, disk);
        ModelForge.ForgeException e = assertThrows(ModelForge.ForgeException.class, () -> f.forge(MINI, "Q4_0", 1));
        assertEquals("the disk holding " + cache.resolve(MINI) + " is full (3.0 MiB free) while quantizing " + MINI + " to Q4_0"
                + " (llama_model_quantize returned 1: quantization failed (in -> out as Q4_0)). Free space or set"
                + " EDGEBENCH_MODELS to a larger disk.", e.getMessage());
        assertEquals(List.of(), TestSupport.filesUnder(cache), "nothing left behind");

        // with room on the disk the quantizer's own reason stands
        ModelForge roomy = new ModelForge(catalog, cache, null, fillsTheDisk, progress::add, dir -> 100L << 30);
        String m = assertThrows(ModelForge.ForgeException.class, () -> roomy.forge(MINI, "Q4_0", 1)).getMessage();
        assertTrue(m.startsWith("the engine's quantizer could not make " + MINI + " Q4_0: "), m);
    }

    @Test
    void theUpFrontSpaceCheckStatesItsMargin() {
        Path cache = tmp.resolve("cache");
        ModelForge f = new ModelForge(catalog, cache, null, null, progress::add, dir -> 10L << 20);
        String m = assertThrows(ModelForge.ForgeException.class, () -> f.forge(MINI, "F16", 1)).getMessage();
        assertTrue(m.contains("(the model) plus a margin of 64.0 MiB, 10.0 MiB free"), m);
    }

    /** Writes the leftovers a forge of {@code target} killed while quantizing would leave; returns their bytes. */
    private static long leftoversOf(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        String n = target.getFileName().toString();
        Files.write(target.resolveSibling(n + ".f16-base"), new byte[300_000]);
        Files.write(target.resolveSibling(n + ".quantized.partial"), new byte[20_000]);
        Files.writeString(ForgeLeftovers.lockFile(target), "");
        return 320_000;
    }

    /** A process holding {@code lockFile} as a running forge does; closing its input ends it. */
    private static Process holdLock(Path lockFile) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), lockFile.toString()).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("locked", line);
        return p;
    }

    @Test
    void leftoversOfAKilledForgeOfAnotherModel_areRemovedByTheNextForge_butNotThoseOfARunningOne() throws Exception {
        Path cache = tmp.resolve("cache");
        ModelForge f = new ModelForge(catalog, cache, null, null, progress::add, dir -> 100L << 30);
        Path killed = f.pathFor(catalog.model(OTHER), LlamaFileType.Q4_0, 1);
        leftoversOf(killed);
        Path running = f.pathFor(catalog.model(OTHER), LlamaFileType.Q8_0, 1);
        leftoversOf(running);
        Process owner = holdLock(ForgeLeftovers.lockFile(running));
        try {
            Path made = f.forge(MINI, "F16", 1);
            String r = running.getFileName().toString();
            assertEquals(List.of(MINI + "/" + made.getFileName(), OTHER + "/." + r + ".lock", OTHER + "/" + r + ".f16-base",
                    OTHER + "/" + r + ".quantized.partial"), TestSupport.filesUnder(cache));
            assertTrue(progress.contains("forge: removed 3 leftover files of interrupted forges (0.3 MiB)"), progress.toString());

            ModelForge.Cleanup busy = f.cleanLeftovers();
            assertEquals(List.of(), busy.removed());
            assertEquals(3, busy.inUse().size(), busy.toString());
        } finally {
            owner.getOutputStream().close();
            assertTrue(owner.waitFor(30, TimeUnit.SECONDS));
        }
        // its owner gone, forge --clean removes them; complete models stay
        ModelForge.Cleanup c = f.cleanLeftovers();
        assertEquals(3, c.removed().size(), c.toString());
        assertEquals(320_000, c.removedBytes());
        assertEquals(List.of(), c.inUse());
        assertEquals(List.of(MINI + "/" + f.pathFor(catalog.model(MINI), LlamaFileType.F16, 1).getFileName()),
                TestSupport.filesUnder(cache));
    }

    @Test
    void onlyForgeFilesCountAsLeftovers() {
        assertEquals("m-Q4_0-seed1-v1.gguf", ForgeLeftovers.targetName("m-Q4_0-seed1-v1.gguf.f16-base.partial"));
        assertEquals("m-Q4_0-seed1-v1.gguf", ForgeLeftovers.targetName(".m-Q4_0-seed1-v1.gguf.lock"));
        assertEquals(null, ForgeLeftovers.targetName("m-Q4_0-seed1-v1.gguf"));
        assertEquals(null, ForgeLeftovers.targetName(".m-Q4_0-seed1-v1.gguf.sha256"));
        assertEquals(null, ForgeLeftovers.targetName("notes.txt.partial"));
    }
}
