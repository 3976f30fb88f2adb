package dev.edgebench.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headers that claim more than the file or the JVM can hold: each is refused with a
 * {@link GgufFormatException} naming the field, the value and the limit, before anything is
 * allocated in proportion to the claim. The two large cases are sparse files: gigabytes long,
 * a few kilobytes on disk.
 */
class GgufLimitsTest {
    private static final long U8_ELEMENTS = (1L << 31) - 16;

    @TempDir
    Path tmp;

    /** A GGUF v3 header under construction, little-endian. */
    private static final class Header {
        private final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Header(long nTensors, long nKv) {
            b.putInt(GgufFile.MAGIC).putInt(3).putLong(nTensors).putLong(nKv);
        }

        Header string(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            b.putLong(u.length).put(u);
            return this;
        }

        Header u32(int v) {
            b.putInt(v);
            return this;
        }

        Header u64(long v) {
            b.putLong(v);
            return this;
        }

        /** Writes the header, then extends the file to {@code totalBytes} (a hole: nothing is written there). */
        Path write(Path p, long totalBytes) throws IOException {
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.write(b.array(), 0, b.position());
                f.setLength(Math.max(totalBytes, b.position()));
            }
            return p;
        }

        Path write(Path p) throws IOException {
            return write(p, 0);
        }

        int length() {
            return b.position();
        }
    }

    private Path hugeU8Array() throws IOException {
        Header h = new Header(0, 1).string("edgebench.huge").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.UINT8.id())
                .u64(U8_ELEMENTS);
        return h.write(tmp.resolve("huge-u8.gguf"), h.length() + U8_ELEMENTS);
    }

    @Test
    void aU8ArrayOfTwoToThe31Elements_isRefusedByTheHeap_notAnOutOfMemoryError() throws IOException {
        Path p = hugeU8Array();
        assertTrue(Files.size(p) > U8_ELEMENTS, "the file is as long as the array claims");
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.read(p, () -> 1L << 30));
        String m = e.getMessage();
        assertTrue(m.startsWith(p.toString()), m);
        assertTrue(m.contains("array edgebench.huge") && m.contains(U8_ELEMENTS + " UINT8 elements")
                && m.contains("8.00 GiB of Java heap") && m.contains("1.00 GiB this JVM can still allocate"), m);
    }

    @Test
    void theSameFileThroughModelFacts_endsInAFormatError_onAHeapTooSmallForIt() throws IOException {
        // as int[] it needs 8 GiB; on a JVM with that much heap the array would be read, legitimately
        assumeTrue(Runtime.getRuntime().maxMemory() < 4 * U8_ELEMENTS, "this JVM's heap could hold the array");
        Path p = hugeU8Array();
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> ModelFacts.of(p));
        assertTrue(e.getMessage().contains("array edgebench.huge: " + U8_ELEMENTS + " UINT8 elements"), e.getMessage());
    }

    @Test
    void aStringLongerThan2GiB_namesTheLimitOfAJavaString() throws IOException {
        long len = (1L << 31) + 5;
        Header h = new Header(0, 1).string("general.name").u32(GgufValueType.STRING.id()).u64(len);
        Path p = h.write(tmp.resolve("long-string.gguf"), h.length() + len);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> ModelFacts.of(p));
        assertTrue(e.getMessage().contains("string value of general.name of 2147483653 bytes at byte 48 is longer than the "
                + GgufReader.MAX_ARRAY_LENGTH + " bytes a Java string can hold"), e.getMessage());
    }

    @Test
    void aStringTheHeapCannotHold_isRefusedBeforeItIsRead() throws IOException {
        int len = 3 << 20;
        Header h = new Header(0, 1).string("general.name").u32(GgufValueType.STRING.id()).u64(len);
        Path p = h.write(tmp.resolve("big-string.gguf"), h.length() + len);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.read(p, () -> 4L << 20));
        assertTrue(e.getMessage().contains("string value of general.name: " + len + " bytes need 6.0 MiB of Java heap, more"
                + " than the 4.0 MiB this JVM can still allocate"), e.getMessage());
        // with room it reads
        assertEquals(len, GgufFile.read(p, () -> 1L << 30).getString("general.name", "").length());
    }

    @Test
    void countsThatCannotFitInATinyFile_nameTheFieldValueAndLimit() throws IOException {
        Path tensors = new Header(1_000_000, 0).write(tmp.resolve("tensors.gguf"), 1024);
        assertEquals(tensors + ": tensor count 1000000 at byte 8 exceeds what the file can hold: its 1008 remaining bytes have"
                        + " room for at most 31 (each takes at least 32 bytes)",
                assertThrows(GgufFormatException.class, () -> GgufFile.read(tensors)).getMessage());

        Path kvs = new Header(0, -1L).write(tmp.resolve("kvs.gguf"), 1024);
        assertEquals(kvs + ": metadata count 18446744073709551615 at byte 16 exceeds what the file can hold: its 1000"
                        + " remaining bytes have room for at most 76 (each takes at least 13 bytes)",
                assertThrows(GgufFormatException.class, () -> GgufFile.read(kvs)).getMessage());

        Path ints = new Header(0, 1).string("tokenizer.ggml.token_type").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.INT32.id()).u64(1L << 40).write(tmp.resolve("ints.gguf"), 4096);
        String m = assertThrows(GgufFormatException.class, () -> GgufFile.read(ints)).getMessage();
        assertTrue(m.contains("array tokenizer.ggml.token_type element count 1099511627776 at byte 65 exceeds what the file"
                + " can hold: its 4023 remaining bytes have room for at most 1005 (each takes at least 4 bytes)"), m);

        Path strings = new Header(0, 1).string("tokenizer.ggml.tokens").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.STRING.id()).u64(Long.MAX_VALUE).write(tmp.resolve("strings.gguf"), 4096);
        m = assertThrows(GgufFormatException.class, () -> GgufFile.read(strings)).getMessage();
        assertTrue(m.contains("array tokenizer.ggml.tokens element count 9223372036854775807") && m.contains("8 bytes"), m);

        Path name = new Header(1, 0).u64(1L << 33).write(tmp.resolve("name.gguf"), 4096);
        m = assertThrows(GgufFormatException.class, () -> GgufFile.read(name)).getMessage();
        assertTrue(m.contains("string name of tensor 0 of 8589934592 bytes at byte 24 runs past the end of the file"), m);
    }

    @Test
    void aStringArrayTheHeapCannotHold_isRefusedBeforeTheArrayIsMade() throws IOException {
        long n = 1 << 20; // empty strings: 8 bytes each in the file, a String object each in Java
        Header h = new Header(0, 1).string("tokenizer.ggml.tokens").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.STRING.id()).u64(n);
        Path p = h.write(tmp.resolve("many-strings.gguf"), h.length() + 8 * n);
        String m = assertThrows(GgufFormatException.class, () -> GgufFile.read(p, () -> 16L << 20)).getMessage();
        assertTrue(m.contains("array tokenizer.ggml.tokens: 1048576 STRING elements (48 bytes each in Java) need 48.0 MiB"), m);
        assertEquals(n, GgufFile.read(p, () -> 1L << 30).get("tokenizer.ggml.tokens").arrayLength());
    }
}
