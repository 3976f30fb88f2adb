package dev.edgebench.model;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Truncated and corrupt GGUF files: {@link GgufFile#read} and {@link ModelFacts#of} report each as a
 * {@link GgufFormatException} naming the file, never as another exception, a hang or a huge allocation.
 */
class GgufFileCorruptionTest {
    @TempDir
    Path tmp;
    private byte[] good;
    private GgufFile goodHeader;

    @BeforeEach
    void writeAModel() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "llama"));
        w.put(GgufKv.ofU32("llama.block_count", 1));
        w.put(GgufKv.ofU32("llama.embedding_length", 64));
        w.put(GgufKv.ofU32("llama.attention.head_count", 4));
        w.put(GgufKv.ofF32("llama.attention.layer_norm_rms_epsilon", 1e-5));
        w.put(new GgufKv("tokenizer.ggml.tokens", GgufValueType.ARRAY, GgufValueType.STRING, new String[] {"<s>", "a", "bc"}));
        w.put(new GgufKv("tokenizer.ggml.scores", GgufValueType.ARRAY, GgufValueType.FLOAT32, new float[] {0, 1, 2}));
        w.put(GgufKv.ofU32("general.file_type", LlamaFileType.Q4_0.id()));
        GgufWriter.TensorSource zeros = (info, out) -> GgufWriter.writeFully(out, ByteBuffer.allocate((int) info.nBytes()));
        w.addTensor("token_embd.weight", new long[] {64, 3}, GgmlType.Q4_0, zeros);
        w.addTensor("blk.0.attn_norm.weight", new long[] {64}, GgmlType.F32, zeros);
        w.addTensor("output.weight", new long[] {64, 3}, GgmlType.F16, zeros);
        Path p = tmp.resolve("good.gguf");
        w.write(p);
        good = Files.readAllBytes(p);
        goodHeader = GgufFile.read(p);
    }

    /** Reads {@code bytes} as a file; returns null when it is accepted, the exception when reported as corrupt. */
    private GgufFormatException readBack(byte[] bytes, String what) throws IOException {
        Path p = tmp.resolve("corrupt.gguf");
        Files.write(p, bytes);
        try {
            ModelFacts.of(p); // reads with GgufFile.read, then uses every field
            return null;
        } catch (GgufFormatException e) {
            assertTrue(e.getMessage().contains(p.toString()), what + ": the message names the file: " + e.getMessage());
            return e;
        } catch (RuntimeException | IOException | OutOfMemoryError e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    private long dataEnd() {
        return goodHeader.tensors().stream().mapToLong(t -> goodHeader.dataOffset() + t.offset() + t.nBytes()).max().orElseThrow();
    }

    @Test
    void everyTruncationThatCutsTheHeaderOrTheDataIsReported() throws IOException {
        long end = dataEnd();
        long header = goodHeader.dataOffset();
        // every byte of the header; in the data, a stride and both ends of each tensor
        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>();
        for (int len = 0; len < good.length; len += len < header ? 1 : 13) {
            cuts.add(len);
        }
        for (GgufTensorInfo t : goodHeader.tensors()) {
            cuts.add((int) (header + t.offset()));
            cuts.add((int) (header + t.offset() + t.nBytes() - 1));
        }
        for (int len : cuts) {
            GgufFormatException e = readBack(Arrays.copyOf(good, len), "cut at " + len);
            if (len < end) {
                assertTrue(e != null, "a file cut at byte " + len + " of " + good.length + " was accepted");
            }
        }
        assertTrue(readBack(good, "whole file") == null);
        GgufFormatException data = readBack(Arrays.copyOf(good, (int) end - 1), "last data byte missing");
        assertTrue(data.getMessage().contains("truncated: tensor output.weight needs bytes up to " + end), data.getMessage());
        assertTrue(readBack(new byte[0], "empty").getMessage().contains("empty file (0 bytes)"));
        assertTrue(readBack(Arrays.copyOf(good, 10), "in the version").getMessage().contains("truncated header"));
    }

    @Test
    void randomCorruptionOfTheHeaderIsReportedOrHarmless() throws IOException {
        Random rnd = new Random(2026);
        int header = (int) goodHeader.dataOffset();
        int reported = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] b = good.clone();
            int flips = 1 + rnd.nextInt(3);
            StringBuilder what = new StringBuilder("flipped");
            for (int f = 0; f < flips; f++) {
                int at = rnd.nextInt(header);
                int v = rnd.nextInt(4) == 0 ? 0xff : rnd.nextInt(256);
                b[at] = (byte) v;
                what.append(' ').append(at).append('=').append(v);
            }
            if (readBack(b, what.toString()) != null) {
                reported++;
            }
        }
        // seeded: 1056 of the 1500 are reported; the rest changed a value, not the structure
        assertTrue(reported > 1000, "corruptions are caught: " + reported);
    }

    private static byte[] patchLong(byte[] src, int at, long v) {
        byte[] b = src.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return b;
    }

    private static byte[] patchInt(byte[] src, int at, int v) {
        byte[] b = src.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return b;
    }

    /** @return the position just after the UTF-8 name of a tensor's directory entry (at its n_dims) */
    private int afterName(String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        outer:
        for (int i = (int) goodHeader.dataOffset() - n.length; i >= 8; i--) {
            for (int j = 0; j < n.length; j++) {
                if (good[i + j] != n[j]) {
                    continue outer;
                }
            }
            long len = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(i - 8);
            if (len == n.length) {
                return i + n.length;
            }
        }
        throw new AssertionError(name + " not found");
    }

    private void assertReported(byte[] b, String expected) throws IOException {
        GgufFormatException e = readBack(b, expected);
        if (e == null) {
            fail("accepted a file that should fail with '" + expected + "'");
        }
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void craftedHeadersNameWhatIsWrong() throws IOException {
        assertReported(patchInt(good, 0, 0x46554746), "not a GGUF file (magic 0x46554746)");
        assertReported(patchInt(good, 4, 1), "GGUF version 1 is not supported");
        assertReported(patchInt(good, 4, 4), "GGUF version 4 is not supported");
        assertReported(patchLong(good, 8, 1L << 40), "tensor count 1099511627776 at byte 8 exceeds what the file can hold");
        assertReported(patchLong(good, 16, -1L), "metadata count 18446744073709551615 at byte 16 exceeds what the file can hold");
        assertReported(patchLong(good, 24, 1L << 40), "runs past the end of the file");
        // the first key's value type
        int firstKeyLen = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
        assertReported(patchInt(good, 32 + firstKeyLen, 77), "unknown GGUF value type id 77");

        int dims = afterName("output.weight");
        assertReported(patchInt(good, dims, 5), "tensor output.weight has 5 dimensions");
        assertReported(patchLong(good, dims + 4, 0), "tensor output.weight has dimension 0");
        assertReported(patchLong(good, dims + 4, -64), "tensor output.weight has dimension -64");
        assertReported(patchInt(good, dims + 4 + 16, 4), "tensor output.weight has unknown type id 4");
        assertReported(patchInt(good, dims + 4 + 16, GgmlType.Q4_K.id()), "row of 64 is not a multiple of the Q4_K block size 256");
        assertReported(patchLong(good, dims + 4 + 16 + 4, 33), "data offset 33 is not aligned to 32");
        // sizes whose byte count overflows a long must not wrap around into "fits in the file"
        assertReported(patchLong(good, dims + 4 + 8, 1L << 61), "output.weight");
        assertReported(patchLong(good, dims + 4 + 8, (1L << 62) + 1), "output.weight");
        assertReported(patchLong(good, dims + 4 + 16 + 4, Long.MIN_VALUE), "output.weight");
        assertReported(patchLong(good, dims + 4 + 16 + 4, Long.MAX_VALUE - 31), "output.weight");
    }

    @Test
    void missingDirectoryAndGarbageFilesAreReported() throws IOException {
        Path missing = tmp.resolve("missing.gguf");
        assertEquals("file not found: " + missing,
                assertThrows(GgufFormatException.class, () -> ModelFacts.of(missing)).getMessage());
        Path dir = Files.createDirectory(tmp.resolve("dir.gguf"));
        assertEquals("a directory, not a GGUF file: " + dir,
                assertThrows(GgufFormatException.class, () -> ModelFacts.of(dir)).getMessage());
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        assertReported(garbage, "not a GGUF file");
        byte[] ggufThenGarbage = garbage.clone();
        System.arraycopy(good, 0, ggufThenGarbage, 0, 8);
        assertTrue(readBack(ggufThenGarbage, "garbage after a valid magic and version") != null);
    }
}
