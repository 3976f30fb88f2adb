package dev.edgebench.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.TestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forge without the engine: models of a test catalog with a synthetic vocabulary, float
 * types written directly, a stand-in quantizer. What llama.cpp's quantizer does is tested in
 * {@code ModelForgeNativeTest}.
 */
class ModelForgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MINI = "test-llama-mini";

    @TempDir
    Path tmp;
    private Catalog catalog;
    private final List<String> progress = new ArrayList<>();
    private String savedModelsProperty;

    @BeforeEach
    void catalogWithATestModel() throws IOException {
        savedModelsProperty = System.getProperty("edgebench.models");
        System.setProperty("edgebench.models", tmp.resolve("default-cache").toString());
        ObjectNode root = CatalogTest.builtinJson();
        ObjectNode m = CatalogTest.model(MINI, "llama", 1);
        ((ObjectNode) m.get("hparams")).put("tied_embeddings", false);
        ((ArrayNode) root.get("models")).add(m);
        ObjectNode broken = CatalogTest.model("test-broken-init", "llama", 1);
        ((ArrayNode) root.get("models")).add(broken);
        // a catalog typo in a late tensor: the forge fails after most of the file is written
        ObjectNode arch = (ObjectNode) root.get("architectures").get("llama").deepCopy();
        ((ObjectNode) arch.get("tensors").get(arch.get("tensors").size() - 2)).put("init", "bogus");
        ((ObjectNode) root.get("architectures")).set("llama-broken", arch);
        broken.put("arch", "llama-broken");
        catalog = Catalog.parse(JSON.readTree(JSON.writeValueAsString(root)));
    }

    @AfterEach
    void restore() {
        if (savedModelsProperty == null) {
            System.clearProperty("edgebench.models");
        } else {
            System.setProperty("edgebench.models", savedModelsProperty);
        }
    }

    private ModelForge forge(Path cache, Quantizer q) {
        return new ModelForge(catalog, cache, null, q, progress::add);
    }

    /** Stands in for llama.cpp: copies the F16 base, counting calls. */
    private static Quantizer copying(AtomicInteger calls) {
        return (in, out, type, threads) -> {
            calls.incrementAndGet();
            try {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    @Test
    void sameNameTypeAndSeedGiveByteIdenticalFilesAnotherSeedDoesNot() {
        for (String type : new String[] {"F16", "F32", "BF16"}) {
            Path a = forge(tmp.resolve("a"), null).forge(MINI, type, 7);
            Path b = forge(tmp.resolve("b"), null).forge(MINI, type, 7);
            Path c = forge(tmp.resolve("c"), null).forge(MINI, type, 8);
            assertEquals(a.getFileName(), b.getFileName());
            assertEquals(TestSupport.sha256(a), TestSupport.sha256(b), type + ": same seed, two caches");
            assertNotEquals(TestSupport.sha256(a), TestSupport.sha256(c), type + ": another seed");
            assertTrue(c.getFileName().toString().contains("-seed8-v" + ModelForge.FORGE_VERSION), c.toString());
        }
    }

    @Test
    void aForgedFileHasTheCatalogShapesAndMetadata() throws IOException {
        Path p = forge(tmp.resolve("cache"), null).forge(MINI, "F16", ModelForge.DEFAULT_SEED);
        assertEquals(tmp.resolve("cache").resolve(MINI).resolve(MINI + "-F16-seed2026-v1.gguf"), p);
        GgufFile g = GgufFile.read(p);
        Catalog.ModelSpec m = catalog.model(MINI);
        List<Catalog.PlannedTensor> plan = catalog.plan(m);
        assertEquals(plan.stream().map(Catalog.PlannedTensor::name).toList(), g.tensors().stream().map(GgufTensorInfo::name).toList());
        for (int i = 0; i < plan.size(); i++) {
            assertEquals(java.util.Arrays.toString(plan.get(i).ne()), java.util.Arrays.toString(g.tensors().get(i).ne()));
        }
        assertEquals("llama", g.architecture());
        assertEquals(128, g.requireLong("llama.embedding_length"));
        assertEquals(3, g.requireLong("llama.block_count"));
        assertEquals(2, g.requireLong("llama.attention.head_count_kv"));
        assertEquals(1000, g.requireLong("llama.vocab_size"));
        assertEquals(1e-6, g.get("llama.attention.layer_norm_rms_epsilon").asDouble(), 1e-12);
        assertEquals(LlamaFileType.F16.id(), g.requireLong("general.file_type"));
        assertEquals(ModelForge.DEFAULT_SEED, g.requireLong("edgebench.seed"));
        assertEquals(Boolean.TRUE, g.get("edgebench.synthetic").value());
        assertEquals("none", g.getString("tokenizer.ggml.model", null));

        ModelFacts f = ModelFacts.of(p);
        assertEquals(catalog.parameterCount(m), f.parameters());
        assertEquals("F16", f.fileType());
        assertTrue(f.synthetic());
        assertEquals(3, f.nLayer());
        assertEquals(32, f.headDimK());
        // untied: one embedding row per token plus every other tensor
        GgufTensorInfo embd = g.tensor("token_embd.weight");
        assertEquals(f.tensorBytes() - embd.nBytes() + embd.rowBytes(), f.weightBytesPerToken());
        assertEquals(3L * 2 * 2 * 32 * 2, f.kvBytesPerToken(GgmlType.F16), "layers x (K+V) x heads x dim x 2 bytes");
    }

    @Test
    void aCachedModelIsReturnedWithoutRewritingOrQuantizing() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        ModelForge f = forge(tmp.resolve("cache"), copying(calls));
        Path p = f.forge(MINI, "Q4_0", 1);
        assertEquals(1, calls.get());
        BasicFileAttributes before = Files.readAttributes(p, BasicFileAttributes.class);
        String sha = TestSupport.sha256(p);
        progress.clear();

        long t0 = System.nanoTime();
        Path again = f.forge(MINI, "Q4_0", 1);
        long cachedNs = System.nanoTime() - t0;
        BasicFileAttributes after = Files.readAttributes(again, BasicFileAttributes.class);
        assertEquals(p, again);
        assertEquals(1, calls.get(), "not quantized again");
        assertEquals(List.of(), progress, "nothing written, nothing reported");
        assertEquals(before.fileKey(), after.fileKey(), "same inode");
        assertEquals(before.lastModifiedTime(), after.lastModifiedTime());
        assertEquals(sha, TestSupport.sha256(again));
        assertEquals(List.of(MINI + "/" + p.getFileName()), TestSupport.filesUnder(tmp.resolve("cache")),
                "no base, partial or lock file left");
        // another forge object on the same cache (another process) finds it too
        assertEquals(p, forge(tmp.resolve("cache"), copying(calls)).forge(MINI, "q4_0", 1));
        assertEquals(1, calls.get());
        System.out.println("cached forge: " + cachedNs / 1000 + " us");
    }

    @Test
    void twoThreadsForgingTheSameModelWaitForEachOther() throws Exception {
        java.util.concurrent.CountDownLatch inQuantizer = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Quantizer copy = copying(calls);
        Quantizer held = (in, out, type, threads) -> {
            inQuantizer.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            copy.quantize(in, out, type, threads);
        };
        Path cache = tmp.resolve("cache");
        java.util.concurrent.ConcurrentLinkedQueue<Object> results = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Runnable job = () -> {
            try {
                results.add(forge(cache, held).forge(MINI, "Q4_0", 1));
            } catch (RuntimeException e) {
                results.add(e);
            }
        };
        Thread first = new Thread(job, "forge-1");
        first.start();
        assertTrue(inQuantizer.await(30, java.util.concurrent.TimeUnit.SECONDS));
        Thread second = new Thread(job, "forge-2");
        second.start();
        // the second forge must wait for the first: parked on a lock, or (the bug) already failed
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (second.getState() != Thread.State.WAITING && second.getState() != Thread.State.TERMINATED
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        release.countDown();
        first.join(30_000);
        second.join(30_000);
        assertEquals(2, results.size(), results.toString());
        Path target = forge(cache, null).pathFor(catalog.model(MINI), LlamaFileType.Q4_0, 1);
        assertEquals(List.of(target, target), List.copyOf(results), "both get the model");
        assertEquals(1, calls.get(), "forged once");
    }

    @Test
    void unknownModelOrTypeFailsBeforeAnythingIsCreated() {
        Path cache = tmp.resolve("cache");
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> forge(cache, null).forge("Llama-9-1T", "F16", 1));
        assertTrue(m.getMessage().contains("unknown model 'Llama-9-1T'"), m.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> forge(cache, null).forge(MINI, "Q9_9", 1));
        assertTrue(t.getMessage().contains("unknown model type 'Q9_9'") && t.getMessage().contains("Q4_K_M"), t.getMessage());
        assertFalse(Files.exists(cache));
    }

    @Test
    void aModelOfAnUnknownArchitectureFailsBeforeAnythingIsCreated() {
        Path cache = tmp.resolve("cache");
        Catalog.ModelSpec mamba = new Catalog.ModelSpec("test-mamba", "mamba", "test", 1, "test", null,
                catalog.model(MINI).hparams());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> forge(cache, null).forge(mamba, LlamaFileType.F16, 1));
        assertTrue(e.getMessage().startsWith("unknown architecture 'mamba'; the catalog has: [llama, "), e.getMessage());
        assertFalse(Files.exists(cache), "no folder, no lock, no file");
    }

    @Test
    void aRegularFileWhereTheCacheFolderShouldBeIsAClearError() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("cache"), "a file, not a folder");
        ModelForge.ForgeException e = assertThrows(ModelForge.ForgeException.class, () -> forge(notADir, null).forge(MINI, "F16", 1));
        assertTrue(e.getMessage().startsWith("cannot create the model cache folder " + notADir.resolve(MINI)), e.getMessage());
        assertTrue(e.getMessage().contains("EDGEBENCH_MODELS"), e.getMessage());
        assertEquals("a file, not a folder", Files.readString(notADir));
        assertEquals(List.of("cache"), TestSupport.filesUnder(tmp).stream().filter(s -> !s.startsWith("default-cache")).toList());
    }

    @Test
    void notEnoughDiskSpaceIsAClearErrorAndWritesNothing() {
        Path cache = tmp.resolve("cache");
        for (String type : new String[] {"F16", "Q4_K_M"}) {
            ModelForge f = new ModelForge(catalog, cache, null, copying(new AtomicInteger()), progress::add, dir -> 10L << 20);
            ModelForge.ForgeException e = assertThrows(ModelForge.ForgeException.class, () -> f.forge(MINI, type, 1));
            assertTrue(e.getMessage().startsWith("not enough disk space in " + cache.resolve(MINI) + " to forge " + MINI + " " + type
                    + ": need about "), e.getMessage());
            assertTrue(e.getMessage().contains("10.0 MiB free"), e.getMessage());
            assertEquals(List.of(), TestSupport.filesUnder(cache), type);
        }
    }

    @Test
    void aSourceFailingMidWayLeavesNoFileUnderAnyName() {
        Path cache = tmp.resolve("cache");
        for (String type : new String[] {"F16", "Q4_0"}) {
            AtomicInteger calls = new AtomicInteger();
            RuntimeException e = assertThrows(RuntimeException.class, () -> forge(cache, copying(calls)).forge("test-broken-init", type, 1));
            assertTrue(e.getMessage().contains("unknown initializer 'bogus'"), e.getMessage());
            assertEquals(0, calls.get(), "never reached the quantizer");
            assertEquals(List.of(), TestSupport.filesUnder(cache), type);
        }
    }

    @Test
    void aQuantizerFailureIsAForgeErrorAndLeavesNothing() {
        Path cache = tmp.resolve("cache");
        Quantizer failing = (in, out, type, threads) -> {
            try (OutputStream o = Files.newOutputStream(out)) {
                o.write(new byte[4096]); // half-written output
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("llama_model_quantize returned 1: this quantization requires an imatrix!");
        };
        ModelForge.ForgeException e = assertThrows(ModelForge.ForgeException.class, () -> forge(cache, failing).forge(MINI, "IQ2_XXS", 1));
        assertTrue(e.getMessage().contains(MINI) && e.getMessage().contains("IQ2_XXS"), e.getMessage());
        assertTrue(e.getMessage().contains("requires an imatrix"), "keeps the engine's reason: " + e.getMessage());
        assertEquals(List.of(), TestSupport.filesUnder(cache));

        ModelForge.ForgeException none = assertThrows(ModelForge.ForgeException.class, () -> forge(cache, null).forge(MINI, "Q4_0", 1));
        assertTrue(none.getMessage().contains("needs the engine's quantizer"), none.getMessage());
        assertEquals(List.of(), TestSupport.filesUnder(cache));

        Quantizer garbage = (in, out, type, threads) -> {
            try {
                Files.writeString(out, "not gguf");
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        };
        ModelForge.ForgeException bad = assertThrows(ModelForge.ForgeException.class, () -> forge(cache, garbage).forge(MINI, "Q4_0", 1));
        assertTrue(bad.getMessage().contains("not a GGUF file"), bad.getMessage());
        assertEquals(List.of(), TestSupport.filesUnder(cache));
    }

    @Test
    void leftoversOfAKilledForgeAndATruncatedModelAreReplaced() throws IOException {
        Path cache = tmp.resolve("cache");
        ModelForge f = forge(cache, copying(new AtomicInteger()));
        Path target = f.pathFor(catalog.model(MINI), LlamaFileType.Q4_0, 1);
        Files.createDirectories(target.getParent());
        String name = target.getFileName().toString();
        for (String leftover : new String[] {".partial", ".f16-base", ".f16-base.partial", ".quantized.partial"}) {
            Files.writeString(target.resolveSibling(name + leftover), "left by a killed forge");
        }
        Files.writeString(target.resolveSibling("." + name + ".lock"), "");
        Files.write(target, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0}); // a truncated model under the final name

        assertEquals(target, f.forge(MINI, "Q4_0", 1));
        GgufFile.read(target);
        assertEquals(List.of(MINI + "/" + name), TestSupport.filesUnder(cache));
    }

    @Test
    void defaultCacheFollowsTheSystemProperty() {
        assertEquals(tmp.resolve("default-cache"), ModelForge.defaultCacheDir());
    }
}
