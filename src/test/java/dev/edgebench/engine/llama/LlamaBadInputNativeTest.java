package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.ModelForge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input reaches the wrappers and comes back as a clear Java exception naming the path or the
 * parameter; the JVM and the engine keep working afterwards.
 */
@Tag("native")
class LlamaBadInputNativeTest {
    @TempDir
    static Path cache;
    @TempDir
    Path tmp;
    private static Path model;

    @BeforeAll
    static void forge() {
        model = TestSupport.forge(cache, TestSupport.TINY, "Q4_0", ModelForge.DEFAULT_SEED);
    }

    private static void assertLoadRejected(Class<? extends RuntimeException> type, Path p, String... expected) {
        RuntimeException e = assertThrows(type, () -> LlamaModel.load(p, LlamaModel.Params.cpu()));
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        }
        assertStillWorks();
    }

    /** The engine still loads and runs a model after the failure. */
    private static void assertStillWorks() {
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu());
             LlamaContext ctx = m.newContext(LlamaContextParams.of(64, 1, 1));
             LlamaBatch b = new LlamaBatch(4, 1)) {
            b.add(m.bos(), 0, 0, true);
            ctx.decode(b);
            assertTrue(ctx.sampleGreedy(-1) >= 0);
        }
    }

    private Path truncatedCopy(String name, long bytes) throws IOException {
        Path p = tmp.resolve(name);
        try (var in = Files.newInputStream(model); OutputStream out = Files.newOutputStream(p)) {
            out.write(in.readNBytes((int) bytes));
        }
        return p;
    }

    @Test
    void missingDirectoryEmptyAndForeignFilesAreRefusedBeforeLoading() throws IOException {
        Path missing = tmp.resolve("missing.gguf");
        assertLoadRejected(IllegalArgumentException.class, missing, "model file not found", missing.toString());
        Path dir = Files.createDirectory(tmp.resolve("a-dir.gguf"));
        assertLoadRejected(IllegalArgumentException.class, dir, "is a directory", dir.toString());
        Path empty = Files.createFile(tmp.resolve("empty.gguf"));
        assertLoadRejected(IllegalArgumentException.class, empty, "empty (0 bytes)", empty.toString());
        byte[] wrongMagic = Files.readAllBytes(model);
        wrongMagic[0] = 'X';
        Path magic = Files.write(tmp.resolve("magic.gguf"), wrongMagic);
        assertLoadRejected(IllegalArgumentException.class, magic, "not a GGUF file (magic 58475546", magic.toString());
    }

    @Test
    void truncatedModelsAreReportedByLlamaCppThroughAnException() throws IOException {
        long size = Files.size(model);
        Path half = truncatedCopy("half.gguf", size / 2);
        RuntimeException e = assertThrows(LlamaException.class, () -> LlamaModel.load(half, LlamaModel.Params.cpu()));
        assertEquals("llama_model_load_from_file", ((LlamaException) e).call());
        assertTrue(e.getMessage().contains(half.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not within the file bounds"), "quotes llama.cpp: " + e.getMessage());
        assertStillWorks();

        Path header = truncatedCopy("header.gguf", 1000); // inside the vocabulary metadata
        assertLoadRejected(LlamaException.class, header, "llama_model_load_from_file returned NULL", header.toString(),
                "failed to read key-value pairs");
        Path lastByte = truncatedCopy("last-byte.gguf", size - 1);
        assertLoadRejected(LlamaException.class, lastByte, "llama_model_load_from_file returned NULL", lastByte.toString());
    }

    @Test
    void contextsTooLargeOrInvalidForTheModelFailClearly() {
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu())) {
            // KV cache of the whole context far beyond this machine: refused before llama.cpp allocates anything
            long t0 = System.nanoTime();
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> m.newContext(LlamaContextParams.of(Integer.MAX_VALUE, 1, 1)));
            assertTrue(big.getMessage().startsWith("nCtx 2147483647 is too large: its KV cache needs 512.0 GiB (256 bytes per"
                    + " token as F16/F16)"), big.getMessage());
            assertTrue(big.getMessage().contains(model.toString()), big.getMessage());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused without allocating");
            // per-token KV bytes as llama.cpp reports them for this model: 2 layers x (K + V) x 2 heads x 16 x 2 bytes
            assertEquals(256, m.kvBytesPerToken(GgmlType.F16, GgmlType.F16));
            assertEquals(2 * 2 * 34, m.kvBytesPerToken(GgmlType.Q8_0, GgmlType.Q8_0));

            for (LlamaContextParams p : new LlamaContextParams[] {LlamaContextParams.of(0, 1, 1),
                    LlamaContextParams.of(-1, 1, 1), LlamaContextParams.of(512, 1, 1).withBatch(0, 0),
                    LlamaContextParams.of(512, 1, 1).withBatch(-8, -8), LlamaContextParams.of(512, 0, 1),
                    LlamaContextParams.of(512, 1, -2)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.newContext(p), p::toString);
                assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
            }

            // refused by llama.cpp itself: the cache type's block (32) does not divide the head size (16)
            LlamaException fa = assertThrows(LlamaException.class, () -> m.newContext(LlamaContextParams.of(256, 1, 1)
                    .withAttention(LlamaContext.FlashAttn.ON, GgmlType.Q4_0, GgmlType.F16)));
            assertEquals("llama_init_from_model", fa.call());
            assertTrue(fa.getMessage().contains("typeK=Q4_0") && fa.getMessage().contains(model.toString()), fa.getMessage());
            assertTrue(fa.getMessage().contains("does not divide n_embd_head_k=16"), "quotes llama.cpp: " + fa.getMessage());

            LlamaException seqs = assertThrows(LlamaException.class, () -> m.newContext(LlamaContextParams.of(1024, 300, 1)));
            assertTrue(seqs.getMessage().contains("nSeqMax=300") && seqs.getMessage().contains("n_seq_max must be <= 256"),
                    seqs.getMessage());
            assertFalse(m.isClosed());
        }
        assertStillWorks();
    }

    @Test
    void badBatchesAreRefusedAndTheContextStaysUsable() {
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu());
             LlamaContext ctx = m.newContext(LlamaContextParams.of(64, 1, 1));
             LlamaBatch b = new LlamaBatch(2, 1)) {
            IllegalStateException empty = assertThrows(IllegalStateException.class, () -> ctx.decode(b));
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());

            b.add(m.nVocab() + 7, 0, 0, true);
            LlamaException bad = assertThrows(LlamaException.class, () -> ctx.decode(b));
            assertEquals(-1, bad.code());
            assertTrue(bad.getMessage().startsWith("llama_decode returned -1: invalid input batch (1 tokens, nCtx=64"),
                    bad.getMessage());
            assertTrue(bad.getMessage().contains("invalid token[0] = " + (m.nVocab() + 7)), "quotes llama.cpp: " + bad.getMessage());

            b.clear();
            b.add(m.bos(), 0, 0, false);
            b.add(m.bos(), 1, 0, true);
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> b.add(1, 2, 0, true));
            assertEquals("LlamaBatch is full (2 tokens)", full.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> b.setLogits(2, true));
            ctx.decode(b);
            LlamaException noLogits = assertThrows(LlamaException.class, () -> ctx.logits(0));
            assertEquals("llama_get_logits_ith", noLogits.call());
            assertEquals(m.nVocab(), ctx.logits(1).byteSize() / 4);
            assertTrue(ctx.sampleGreedy(1) >= 0);
            assertEquals(1, ctx.maxPosition(0));
        }
    }

    @Test
    void closedWrappersRefuseUseAndParentsCloseTheirChildren() {
        LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu());
        LlamaContext c1 = m.newContext(LlamaContextParams.of(64, 1, 1));
        LlamaContext c2 = m.newContext(LlamaContextParams.of(64, 1, 1));
        LlamaBatch b = new LlamaBatch(4, 1);
        b.add(m.bos(), 0, 0, true);
        c1.decode(b);
        int[] tokens = m.tokenize("hello", true);

        c2.close();
        c2.close(); // idempotent
        assertTrue(c2.isClosed());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> c2.decode(b));
        assertTrue(e2.getMessage().startsWith("LlamaContext is closed") && e2.getMessage().contains(model.toString()), e2.getMessage());
        assertFalse(c1.isClosed());

        m.close();
        assertTrue(m.isClosed());
        assertTrue(c1.isClosed(), "the model closed its open context");
        for (Runnable use : new Runnable[] {() -> c1.decode(b), c1::synchronize, () -> c1.sampleGreedy(-1), () -> c1.logits(-1),
                c1::nCtx, c1::perf, () -> c1.clearMemory(false), () -> c1.maxPosition(0)}) {
            assertThrows(IllegalStateException.class, use::run);
        }
        for (Runnable use : new Runnable[] {m::nVocab, m::nParams, m::description, m::metadata, () -> m.tokenize("hello", true),
                () -> m.tokenToPiece(tokens[0]), () -> m.newContext(LlamaContextParams.of(64, 1, 1)), m::bos}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
            assertEquals("LlamaModel is closed: " + model, e.getMessage());
        }
        m.close(); // idempotent

        b.close();
        b.close();
        for (Runnable use : new Runnable[] {b::clear, () -> b.add(1, 0, 0, true), () -> b.setLogits(0, true)}) {
            assertEquals("LlamaBatch is closed", assertThrows(IllegalStateException.class, use::run).getMessage());
        }
        try (LlamaModel m2 = LlamaModel.load(model, LlamaModel.Params.cpu());
             LlamaContext c3 = m2.newContext(LlamaContextParams.of(64, 1, 1))) {
            assertEquals("LlamaBatch is closed", assertThrows(IllegalStateException.class, () -> c3.decode(b)).getMessage());
            assertArrayEquals(tokens, m2.tokenize("hello", true));
        }
        assertTrue(Arrays.stream(tokens).allMatch(t -> t >= 0));
    }
}
