package dev.edgebench.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link GgufWriter} writes, {@link GgufFile} reads back: every value type, arrays, tensors, alignment. */
class GgufRoundTripTest {
    @TempDir
    Path tmp;

    private static GgufKv kv(String key, GgufValueType t, Object v) {
        return new GgufKv(key, t, null, v);
    }

    private static GgufKv arr(String key, GgufValueType et, Object v) {
        return new GgufKv(key, GgufValueType.ARRAY, et, v);
    }

    /** Every scalar type at its edges, every array element type, empty arrays and non-ASCII strings. */
    static List<GgufKv> everyValue() {
        return List.of(
                kv("u8.max", GgufValueType.UINT8, 255), kv("u8.zero", GgufValueType.UINT8, 0),
                kv("i8.min", GgufValueType.INT8, -128), kv("i8.max", GgufValueType.INT8, 127),
                kv("u16.max", GgufValueType.UINT16, 65535), kv("i16.min", GgufValueType.INT16, -32768),
                kv("u32.max", GgufValueType.UINT32, -1), kv("i32.min", GgufValueType.INT32, Integer.MIN_VALUE),
                kv("u64.big", GgufValueType.UINT64, 0x8000_0000_0000_0001L), kv("i64.min", GgufValueType.INT64, Long.MIN_VALUE),
                kv("f32", GgufValueType.FLOAT32, 3.25f), kv("f32.nan", GgufValueType.FLOAT32, Float.NaN),
                kv("f32.neg0", GgufValueType.FLOAT32, -0.0f), kv("f64", GgufValueType.FLOAT64, Math.PI),
                kv("f64.inf", GgufValueType.FLOAT64, Double.NEGATIVE_INFINITY),
                kv("bool.t", GgufValueType.BOOL, true), kv("bool.f", GgufValueType.BOOL, false),
                kv("str", GgufValueType.STRING, "llama \u00e9\u4e2d\uD83E\uDD99"), kv("str.empty", GgufValueType.STRING, ""),
                arr("a.u8", GgufValueType.UINT8, new int[] {0, 1, 255}), arr("a.i8", GgufValueType.INT8, new int[] {-128, 0, 127}),
                arr("a.u16", GgufValueType.UINT16, new int[] {0, 65535}), arr("a.i16", GgufValueType.INT16, new int[] {-32768, 32767}),
                arr("a.u32", GgufValueType.UINT32, new int[] {0, -1}), arr("a.i32", GgufValueType.INT32, new int[] {Integer.MIN_VALUE, 5}),
                arr("a.u64", GgufValueType.UINT64, new long[] {0, -1L}), arr("a.i64", GgufValueType.INT64, new long[] {Long.MIN_VALUE, 7}),
                arr("a.f32", GgufValueType.FLOAT32, new float[] {1.5f, Float.NaN, -0.0f}),
                arr("a.f64", GgufValueType.FLOAT64, new double[] {Double.MIN_VALUE, -2.5}),
                arr("a.bool", GgufValueType.BOOL, new boolean[] {true, false, true}),
                arr("a.str", GgufValueType.STRING, new String[] {"", "a", "\u00fc\u00f1\u00ee", "x".repeat(1000)}),
                arr("a.empty.str", GgufValueType.STRING, new String[0]), arr("a.empty.i32", GgufValueType.INT32, new int[0]));
    }

    private static void assertSameValue(GgufKv want, GgufKv got) {
        assertEquals(want.key(), got.key());
        assertEquals(want.type(), got.type(), want.key());
        assertEquals(want.elementType(), got.elementType(), want.key());
        Object w = want.value();
        Object g = got.value();
        switch (w) {
            case int[] a -> {
                // narrow unsigned types come back as their unsigned value
                int[] expect = Arrays.stream(a).map(v -> switch (want.elementType()) {
                    case UINT8 -> v & 0xff;
                    case UINT16 -> v & 0xffff;
                    default -> v;
                }).toArray();
                assertArrayEquals(expect, (int[]) g, want.key());
            }
            case long[] a -> assertArrayEquals(a, (long[]) g, want.key());
            case float[] a -> assertEquals(Arrays.toString(a), Arrays.toString((float[]) g), want.key());
            case double[] a -> assertArrayEquals(a, (double[]) g, want.key());
            case boolean[] a -> assertArrayEquals(a, (boolean[]) g, want.key());
            case String[] a -> assertArrayEquals(a, (String[]) g, want.key());
            case Float f -> assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((Float) g), want.key());
            case Double d -> assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) g), want.key());
            default -> assertEquals(w, g, want.key());
        }
    }

    @Test
    void everyValueTypeAndArrayRoundTrips() throws IOException {
        GgufWriter w = new GgufWriter();
        everyValue().forEach(w::put);
        Path p = tmp.resolve("values.gguf");
        w.write(p);
        assertEquals(w.fileBytes(), Files.size(p));

        GgufFile g = GgufFile.read(p);
        assertEquals(3, g.version());
        assertEquals(everyValue().size(), g.kv().size());
        List<String> keys = everyValue().stream().map(GgufKv::key).toList();
        assertEquals(keys, List.copyOf(g.kv().keySet()), "file order is insertion order");
        for (GgufKv want : everyValue()) {
            assertSameValue(want, g.get(want.key()));
        }
        assertEquals(4294967295L, g.requireLong("u32.max"), "UINT32 reads unsigned");
        assertEquals(255, g.requireLong("u8.max"));
        assertEquals(-128, g.requireLong("i8.min"));
        assertEquals(0x8000_0000_0000_0001L, g.requireLong("u64.big"));
        assertEquals(3.25, g.get("f32").asDouble());
        assertEquals(4, g.get("a.str").arrayLength());
        assertEquals(0, g.get("a.empty.str").arrayLength());
        assertEquals(List.of(), g.tensors());
        assertEquals(g.fileBytes(), g.dataOffset(), "no tensors: the data section is empty");

        GgufFormatException notInt = assertThrows(GgufFormatException.class, () -> g.requireLong("f32"));
        assertEquals("metadata f32 is FLOAT32, not an integer", notInt.getMessage());
        assertTrue(assertThrows(GgufFormatException.class, () -> g.requireLong("nope")).getMessage().contains("nope is missing"));
        assertEquals(7, g.getLong("nope", 7));
        assertEquals("dflt", g.getString("u8.max", "dflt"), "not a string");
    }

    /** Writes {@code n} bytes counting up from {@code start}. */
    private static GgufWriter.TensorSource counting(int start) {
        return (info, out) -> {
            ByteBuffer b = ByteBuffer.allocate((int) info.nBytes());
            for (int i = 0; i < b.capacity(); i++) {
                b.put((byte) (start + i));
            }
            GgufWriter.writeFully(out, b.flip());
        };
    }

    @Test
    void tensorsLandAtTheirAlignedOffsetsWithTheirBytes() throws IOException {
        for (int alignment : new int[] {32, 64, 4096}) {
            GgufWriter w = new GgufWriter(alignment);
            w.put(GgufKv.ofString("general.architecture", "test"));
            GgufTensorInfo a = w.addTensor("a", new long[] {3}, GgmlType.F32, counting(1));
            GgufTensorInfo b = w.addTensor("b.weight", new long[] {64, 3}, GgmlType.Q4_0, counting(50));
            GgufTensorInfo c = w.addTensor("c", new long[] {5, 1, 2, 1}, GgmlType.F16, counting(100));
            assertEquals(0, a.offset());
            assertEquals(alignment, b.offset(), "12 bytes of a, padded");
            assertEquals(List.of(a, b, c), w.tensors());
            Path p = tmp.resolve("t" + alignment + ".gguf");
            w.write(p);

            GgufFile g = GgufFile.read(p);
            assertEquals(w.fileBytes(), g.fileBytes());
            assertEquals(List.of(a, b, c), g.tensors());
            assertEquals(0, g.dataOffset() % alignment);
            if (alignment == GgufFile.DEFAULT_ALIGNMENT) {
                assertEquals(null, g.get("general.alignment"), "the default is not written");
            } else {
                assertEquals(alignment, g.requireLong("general.alignment"));
            }
            assertEquals(2L * 18 * 3, g.tensor("b.weight").nBytes());
            assertEquals(20, g.tensor("c").nBytes());
            assertEquals(null, g.tensor("d"));
            assertEquals("test", g.architecture());
            Map<String, Integer> starts = Map.of("a", 1, "b.weight", 50, "c", 100);
            try (FileChannel ch = FileChannel.open(p)) {
                for (GgufTensorInfo t : g.tensors()) {
                    ByteBuffer got = ByteBuffer.allocate((int) t.nBytes());
                    ch.read(got, g.dataOffset() + t.offset());
                    assertArrayEquals(bytesOf(counting(starts.get(t.name())), t), got.array(), t.name());
                }
            }
        }
    }

    private static byte[] bytesOf(GgufWriter.TensorSource source, GgufTensorInfo t) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        source.write(t, java.nio.channels.Channels.newChannel(out));
        return out.toByteArray();
    }

    @Test
    void headerBytesAreTheFormatsLittleEndianLayout() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofU32("k", 0x01020304));
        Path p = tmp.resolve("le.gguf");
        w.write(p);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("GGUF", new String(Arrays.copyOf(b.array(), 4), java.nio.charset.StandardCharsets.US_ASCII));
        b.position(4);
        assertEquals(3, b.getInt());
        assertEquals(0, b.getLong(), "tensor count");
        assertEquals(1, b.getLong(), "kv count");
        assertEquals(1, b.getLong(), "key length");
        assertEquals('k', b.get());
        assertEquals(GgufValueType.UINT32.id(), b.getInt());
        assertEquals(0x01020304, b.getInt());
        assertEquals(0, Files.size(p) % 32, "padded to the alignment");
    }

    @Test
    void writerRefusesBadShapesAndLeavesNothingWhenASourceMisbehaves() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter(48));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter(0));
        GgufWriter w = new GgufWriter();
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("x", new long[] {33, 2}, GgmlType.Q4_0, counting(0)));
        assertTrue(row.getMessage().contains("33 elements is not a multiple of the Q4_0 block size 32"), row.getMessage());
        assertEquals(List.of(), w.tensors());

        w.addTensor("ok", new long[] {8}, GgmlType.F32, counting(0));
        w.addTensor("short", new long[] {8}, GgmlType.F32, (info, out) -> GgufWriter.writeFully(out, ByteBuffer.allocate(7)));
        Path p = tmp.resolve("short.gguf");
        IOException e = assertThrows(IOException.class, () -> w.write(p));
        assertEquals("tensor short: source wrote 7 bytes, expected 32", e.getMessage());
        assertEquals(List.of(), listing(), "no target and no partial file");
    }

    @Test
    void anInterruptedWriteLeavesNoFileAndKeepsAnEarlierOne() throws IOException {
        Path p = tmp.resolve("model.gguf");
        GgufWriter first = new GgufWriter();
        first.put(GgufKv.ofString("version", "first"));
        first.write(p);
        byte[] before = Files.readAllBytes(p);

        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("version", "second"));
        w.addTensor("t0", new long[] {1 << 16}, GgmlType.F32, counting(0));
        w.addTensor("t1", new long[] {1 << 16}, GgmlType.F32, (info, out) -> {
            GgufWriter.writeFully(out, ByteBuffer.allocate(1000));
            throw new IllegalStateException("source failed mid-way");
        });
        w.addTensor("t2", new long[] {8}, GgmlType.F32, counting(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(p));
        assertEquals("source failed mid-way", e.getMessage());
        assertEquals(List.of("model.gguf"), listing(), "no partial file beside it");
        assertArrayEquals(before, Files.readAllBytes(p), "the earlier file is untouched");
    }

    @Test
    void aWriteIntoAMissingFolderFailsWithTheIoErrorAndLeavesNothing() {
        Path p = tmp.resolve("no-such-folder/model.gguf");
        GgufWriter w = new GgufWriter();
        IOException e = assertThrows(IOException.class, () -> w.write(p));
        assertTrue(e.getMessage().contains("no-such-folder"), e.getMessage());
        assertFalse(Files.exists(p.getParent()));
    }

    @Test
    void toStringAndArrayLengthDescribeValues() {
        Map<String, GgufKv> byKey = new java.util.LinkedHashMap<>();
        everyValue().forEach(k -> byKey.put(k.key(), k));
        assertEquals("a.str = [4 x STRING]", byKey.get("a.str").toString());
        assertEquals("a.f32 = [1.5, NaN, -0.0]", byKey.get("a.f32").toString());
        assertEquals("u8.max = 255", byKey.get("u8.max").toString());
        assertEquals(1, byKey.get("str").arrayLength());
        assertEquals(3, byKey.get("a.bool").arrayLength());
    }

    private List<String> listing() throws IOException {
        try (var s = Files.list(tmp)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
