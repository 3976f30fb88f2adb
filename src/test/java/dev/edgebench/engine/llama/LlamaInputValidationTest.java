package dev.edgebench.engine.llama;

import dev.edgebench.model.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input checks that happen in Java before any native call: no library is needed. */
class LlamaInputValidationTest {
    @TempDir
    Path tmp;

    private static void assertRejected(Path p, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaModel.checkModelFile(p));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        if (p != null) {
            assertTrue(e.getMessage().contains(p.toAbsolutePath().toString()), "names the path: " + e.getMessage());
        }
    }

    @Test
    void modelFileChecksNameThePathAndTheProblem() throws IOException {
        assertRejected(tmp.resolve("missing.gguf"), "not found");
        assertRejected(Files.createDirectory(tmp.resolve("dir.gguf")), "is a directory");
        assertRejected(Files.createFile(tmp.resolve("empty.gguf")), "empty (0 bytes)");
        assertRejected(Files.write(tmp.resolve("short.gguf"), new byte[] {'G', 'G'}), "not a GGUF file (magic 4747");
        assertRejected(Files.writeString(tmp.resolve("model.bin"), "PK\u0003\u0004 zip, not gguf"), "magic 504b0304");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaModel.checkModelFile(null));
        assertEquals("model path is null", e.getMessage());
        assertDoesNotThrow(() -> LlamaModel.checkModelFile(Files.write(tmp.resolve("ok.gguf"), new byte[] {'G', 'G', 'U', 'F', 3})));
    }

    private static LlamaContextParams params(int nCtx, int nBatch, int nUbatch, int nSeqMax, int threads, int threadsBatch) {
        return new LlamaContextParams(nCtx, nBatch, nUbatch, nSeqMax, threads, threadsBatch, LlamaContext.FlashAttn.AUTO,
                GgmlType.F16, GgmlType.F16, true, true, 50, null);
    }

    private static void assertInvalid(LlamaContextParams p, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::validate);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void contextParamsNameTheFirstParameterOutOfRange() {
        assertDoesNotThrow(() -> params(512, 512, 512, 1, 1, 1).validate());
        assertInvalid(params(0, 512, 512, 1, 1, 1), "nCtx must be positive, was 0");
        assertInvalid(params(-5, 512, 512, 1, 1, 1), "nCtx must be positive, was -5");
        assertInvalid(params(512, 0, 512, 1, 1, 1), "nBatch must be positive, was 0");
        assertInvalid(params(512, 512, -1, 1, 1, 1), "nUbatch must be positive, was -1");
        assertInvalid(params(512, 512, 512, 0, 1, 1), "nSeqMax must be positive, was 0");
        assertInvalid(params(512, 512, 512, 1, 0, 1), "nThreads must be positive, was 0");
        assertInvalid(params(512, 512, 512, 1, 1, Integer.MIN_VALUE), "nThreadsBatch must be positive, was " + Integer.MIN_VALUE);
        assertInvalid(params(512, 256, 512, 1, 1, 1), "nUbatch (512) must not exceed nBatch (256)");
        assertInvalid(params(4, 512, 512, 8, 1, 1), "nSeqMax (8) exceeds nCtx (4): each sequence needs context");
        assertInvalid(LlamaContextParams.of(512, 1, 1).withAttention(null, GgmlType.F16, GgmlType.F16),
                "flashAttn, typeK and typeV must be set");
    }

    @Test
    void batchSizesMustBePositive() {
        assertEquals("batch capacity must be positive, was 0",
                assertThrows(IllegalArgumentException.class, () -> new LlamaBatch(0, 1)).getMessage());
        assertEquals("batch capacity must be positive, was -3",
                assertThrows(IllegalArgumentException.class, () -> new LlamaBatch(-3, 1)).getMessage());
        assertEquals("batch nSeqMax must be positive, was 0",
                assertThrows(IllegalArgumentException.class, () -> new LlamaBatch(8, 0)).getMessage());
    }
}
