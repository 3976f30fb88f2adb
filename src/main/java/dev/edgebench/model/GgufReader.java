package dev.edgebench.model;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Little-endian reads of a GGUF header with every count and length checked before anything is
 * allocated in proportion to it: against the bytes left in the file (each entry needs at least
 * a known number of bytes there), against the longest array the JVM can make, and, for large
 * allocations, against the heap the JVM can still allocate. Messages name the field, the value
 * and the limit; {@link GgufFile#read} adds the file.
 *
 * <p>Not thread-safe: one reader per stream.
 */
final class GgufReader {
    /** The longest Java array HotSpot makes reliably (a few header words below Integer.MAX_VALUE). */
    static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    /** Below this many bytes an allocation is not checked against the heap (tokenizer strings are tiny). */
    private static final long HEAP_CHECK_BYTES = 1L << 20;
    /** Java heap per element of a {@code String[]}: the reference plus a String and its byte[] headers. */
    private static final long STRING_OBJECT_BYTES = 48;

    private final InputStream in;
    private final long size;
    private final LongSupplier heapFreeBytes;
    private long pos;
    private final byte[] buf = new byte[8];

    /**
     * @param in            the file, at byte 0
     * @param size          the file's size in bytes
     * @param heapFreeBytes how much more the JVM can allocate, asked only before large allocations
     */
    GgufReader(InputStream in, long size, LongSupplier heapFreeBytes) {
        this.in = in;
        this.size = size;
        this.heapFreeBytes = heapFreeBytes;
    }

    /** @return bytes the JVM can still allocate: the heap limit less what is in use (garbage counts as used) */
    static long liveHeapFreeBytes() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    long position() {
        return pos;
    }

    private long remaining() {
        return size - pos;
    }

    private void fill(int n) throws IOException {
        int got = in.readNBytes(buf, 0, n);
        if (got < n) {
            throw new EOFException("at byte " + (pos + got) + " of " + size);
        }
        pos += n;
    }

    int u8() throws IOException {
        fill(1);
        return buf[0] & 0xff;
    }

    int u16() throws IOException {
        fill(2);
        return (buf[0] & 0xff) | (buf[1] & 0xff) << 8;
    }

    int u32() throws IOException {
        fill(4);
        return (buf[0] & 0xff) | (buf[1] & 0xff) << 8 | (buf[2] & 0xff) << 16 | (buf[3] & 0xff) << 24;
    }

    long u64() throws IOException {
        fill(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (buf[i] & 0xff);
        }
        return v;
    }

    /**
     * Reads a count of entries that each take at least {@code minEntryBytes} in the file.
     *
     * @param field what is counted, for the message ("tensor count")
     * @throws GgufFormatException when the entries cannot fit in the rest of the file or in a Java collection
     */
    long count(String field, long minEntryBytes) throws IOException {
        long at = pos;
        long n = u64();
        checkFits(field, n, minEntryBytes, at);
        return n;
    }

    /** Checks that {@code n} entries of at least {@code minEntryBytes} each fit in the file after the field at {@code at}. */
    private void checkFits(String field, long n, long minEntryBytes, long at) {
        long room = remaining() / minEntryBytes;
        if (n < 0 || n > room) {
            throw new GgufFormatException(String.format(Locale.ROOT,
                    "%s %s at byte %d exceeds what the file can hold: its %d remaining bytes have room for at most %d"
                            + " (each takes at least %d bytes)", field, Long.toUnsignedString(n), at, remaining(), room,
                    minEntryBytes));
        }
        if (n > MAX_ARRAY_LENGTH) {
            throw new GgufFormatException(field + " " + n + " at byte " + at + " exceeds the " + MAX_ARRAY_LENGTH
                    + " entries a Java array can hold");
        }
    }

    /** Checks, before a large allocation, that the JVM can still allocate {@code bytes}. */
    private void checkHeap(String field, long bytes, String what) {
        if (bytes < HEAP_CHECK_BYTES) {
            return;
        }
        long free = heapFreeBytes.getAsLong();
        if (bytes > free) {
            throw new GgufFormatException(String.format(Locale.ROOT,
                    "%s: %s need %s of Java heap, more than the %s this JVM can still allocate (raise -Xmx to read it)",
                    field, what, ModelForge.human(bytes), ModelForge.human(Math.max(0, free))));
        }
    }

    /**
     * Reads a GGUF string (u64 length, UTF-8 bytes).
     *
     * @param field what the string is, for the message ("key of metadata entry 3", "tokenizer.ggml.tokens[7]")
     */
    String string(String field) throws IOException {
        long at = pos;
        long n = u64();
        if (n < 0 || n > remaining()) {
            throw new GgufFormatException("string " + field + " of " + Long.toUnsignedString(n) + " bytes at byte " + at
                    + " runs past the end of the file (" + size + " bytes)");
        }
        if (n > MAX_ARRAY_LENGTH) {
            throw new GgufFormatException("string " + field + " of " + n + " bytes at byte " + at + " is longer than the "
                    + MAX_ARRAY_LENGTH + " bytes a Java string can hold");
        }
        // the bytes read, and the decoded string at one byte per character at least
        checkHeap("string " + field, 2 * n, n + " bytes");
        byte[] b = in.readNBytes((int) n);
        if (b.length < n) {
            throw new EOFException("string at byte " + pos);
        }
        pos += n;
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Reads the value of metadata entry {@code key} of type {@code t}. */
    GgufKv value(String key, GgufValueType t) throws IOException {
        if (t == GgufValueType.ARRAY) {
            return array(key);
        }
        Object v = switch (t) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32 -> (int) scalarInt(t);
            case UINT64, INT64 -> u64();
            case FLOAT32 -> Float.intBitsToFloat(u32());
            case FLOAT64 -> Double.longBitsToDouble(u64());
            case BOOL -> u8() != 0;
            case STRING -> string("value of " + key);
            case ARRAY -> throw new IllegalStateException();
        };
        return new GgufKv(key, t, null, v);
    }

    private GgufKv array(String key) throws IOException {
        GgufValueType et = GgufValueType.ofId(u32());
        if (et == GgufValueType.ARRAY) {
            throw new GgufFormatException("nested array in " + key + " is not supported");
        }
        long at = pos;
        long n = u64();
        // a string element is at least its 8-byte length
        checkFits("array " + key + " element count", n, et.size() > 0 ? et.size() : 8, at);
        long javaBytes = switch (et) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            case BOOL -> 1;
            default -> STRING_OBJECT_BYTES;
        };
        checkHeap("array " + key, n * javaBytes, n + " " + et + " elements (" + javaBytes + " bytes each in Java)");
        int len = (int) n;
        Object arr = switch (et) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    a[i] = (int) scalarInt(et);
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = u64();
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = Float.intBitsToFloat(u32());
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = Double.longBitsToDouble(u64());
                }
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) {
                    a[i] = u8() != 0;
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = string(key + "[" + i + "]");
                }
                yield a;
            }
            case ARRAY -> throw new IllegalStateException();
        };
        return new GgufKv(key, GgufValueType.ARRAY, et, arr);
    }

    private long scalarInt(GgufValueType t) throws IOException {
        return switch (t) {
            case UINT8 -> u8();
            case INT8 -> (byte) u8();
            case UINT16 -> u16();
            case INT16 -> (short) u16();
            case UINT32 -> u32() & 0xffffffffL;
            case INT32 -> u32();
            default -> throw new IllegalStateException(t.name());
        };
    }
}
