package dev.edgebench.model;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a GGUF file (versions 2 and 3): metadata and tensor directory, read and checked
 * in pure Java. Tensor data is not read; {@link #read} checks that every tensor's data lies
 * inside the file, so a truncated download is reported here rather than by a native crash.
 *
 * <p>Immutable once read; thread-safe.
 */
public final class GgufFile {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    private static final long MAX_COUNT = 1L << 24;

    private final Path path;
    private final int version;
    private final Map<String, GgufKv> kv;
    private final List<GgufTensorInfo> tensors;
    private final long dataOffset;
    private final long fileBytes;

    private GgufFile(Path path, int version, Map<String, GgufKv> kv, List<GgufTensorInfo> tensors, long dataOffset,
                     long fileBytes) {
        this.path = path;
        this.version = version;
        this.kv = kv;
        this.tensors = tensors;
        this.dataOffset = dataOffset;
        this.fileBytes = fileBytes;
    }

    /**
     * Reads and checks a GGUF header.
     *
     * @param path the file
     * @return its header
     * @throws GgufFormatException naming the file and what is wrong (bad magic, truncated, ...)
     * @throws IOException         when it cannot be read at all
     */
    public static GgufFile read(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new GgufFormatException("file not found: " + path);
        }
        if (Files.isDirectory(path)) {
            throw new GgufFormatException("a directory, not a GGUF file: " + path);
        }
        long size = Files.size(path);
        if (size == 0) {
            throw new GgufFormatException("empty file (0 bytes): " + path);
        }
        try (InputStream raw = Files.newInputStream(path)) {
            Reader r = new Reader(new BufferedInputStream(raw, 1 << 16), size, path);
            int magic = r.u32();
            if (magic != MAGIC) {
                throw new GgufFormatException(path + ": not a GGUF file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int version = r.u32();
            if (version < 2 || version > 3) {
                throw new GgufFormatException(path + ": GGUF version " + version + " is not supported (2 and 3 are)");
            }
            long nTensors = r.count("tensor count");
            long nKv = r.count("metadata count");
            Map<String, GgufKv> kv = new LinkedHashMap<>();
            for (long i = 0; i < nKv; i++) {
                String key = r.string();
                GgufValueType t = GgufValueType.ofId(r.u32());
                kv.put(key, r.value(key, t));
            }
            int alignment = DEFAULT_ALIGNMENT;
            GgufKv a = kv.get("general.alignment");
            if (a != null) {
                alignment = (int) a.asLong();
                if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
                    throw new GgufFormatException(path + ": general.alignment " + alignment + " is not a power of two");
                }
            }
            // the count is not trusted yet: no allocation in proportion to it
            List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(nTensors, 4096));
            for (long i = 0; i < nTensors; i++) {
                String name = r.string();
                int nDims = r.u32();
                if (nDims < 1 || nDims > 4) {
                    throw new GgufFormatException(path + ": tensor " + name + " has " + nDims + " dimensions");
                }
                long[] ne = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    ne[d] = r.u64();
                    if (ne[d] <= 0) {
                        throw new GgufFormatException(path + ": tensor " + name + " has dimension " + ne[d]);
                    }
                }
                GgmlType type;
                int typeId = r.u32();
                try {
                    type = GgmlType.ofId(typeId);
                } catch (IllegalArgumentException e) {
                    throw new GgufFormatException(path + ": tensor " + name + " has unknown type id " + typeId);
                }
                if (ne[0] % type.blockSize() != 0) {
                    throw new GgufFormatException(path + ": tensor " + name + " row of " + ne[0] + " is not a multiple of the "
                            + type + " block size " + type.blockSize());
                }
                try {
                    long nElements = 1;
                    for (long d : ne) {
                        nElements = Math.multiplyExact(nElements, d);
                    }
                    Math.multiplyExact(type.rowBytes(ne[0]), nElements / ne[0]);
                } catch (ArithmeticException e) {
                    throw new GgufFormatException(path + ": tensor " + name + " of " + java.util.Arrays.toString(ne) + " " + type
                            + " has more bytes than a file can hold");
                }
                long offset = r.u64();
                if (offset < 0) {
                    throw new GgufFormatException(path + ": tensor " + name + " data offset " + Long.toUnsignedString(offset)
                            + " is past the end of the file (" + size + " bytes)");
                }
                if (offset % alignment != 0) {
                    throw new GgufFormatException(path + ": tensor " + name + " data offset " + offset + " is not aligned to "
                            + alignment);
                }
                tensors.add(new GgufTensorInfo(name, ne, type, offset));
            }
            long headerEnd = r.position();
            long dataOffset = (headerEnd + alignment - 1) / alignment * alignment;
            for (GgufTensorInfo t : tensors) {
                long end;
                try {
                    end = Math.addExact(Math.addExact(dataOffset, t.offset()), t.nBytes());
                } catch (ArithmeticException e) {
                    end = Long.MAX_VALUE;
                }
                if (end > size) {
                    throw new GgufFormatException(path + ": truncated: tensor " + t.name() + " needs bytes up to " + end
                            + " but the file has " + size);
                }
            }
            return new GgufFile(path, version, Collections.unmodifiableMap(kv), List.copyOf(tensors), dataOffset, size);
        } catch (EOFException e) {
            throw new GgufFormatException(path + ": truncated header (" + e.getMessage() + ")", e);
        } catch (GgufFormatException e) {
            // value types and values report without the file; every message here names it
            if (e.getMessage().startsWith(path.toString())) {
                throw e;
            }
            throw new GgufFormatException(path + ": " + e.getMessage(), e);
        }
    }

    /** @return the file read */
    public Path path() {
        return path;
    }

    /** @return GGUF format version */
    public int version() {
        return version;
    }

    /** @return every metadata entry, in file order */
    public Map<String, GgufKv> kv() {
        return kv;
    }

    /** @return one entry, or null */
    public GgufKv get(String key) {
        return kv.get(key);
    }

    /**
     * @return an integer entry
     * @throws GgufFormatException when it is missing or not an integer
     */
    public long requireLong(String key) {
        GgufKv v = kv.get(key);
        if (v == null) {
            throw new GgufFormatException(path + ": metadata " + key + " is missing");
        }
        return v.asLong();
    }

    /** @return an integer entry, or {@code dflt} when missing */
    public long getLong(String key, long dflt) {
        GgufKv v = kv.get(key);
        return v == null ? dflt : v.asLong();
    }

    /** @return a string entry, or {@code dflt} when missing */
    public String getString(String key, String dflt) {
        GgufKv v = kv.get(key);
        return v == null || !(v.value() instanceof String s) ? dflt : s;
    }

    /** @return the tensor directory, in file order */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** @return a tensor by name, or null */
    public GgufTensorInfo tensor(String name) {
        for (GgufTensorInfo t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** @return byte offset of the data section */
    public long dataOffset() {
        return dataOffset;
    }

    /** @return file size in bytes */
    public long fileBytes() {
        return fileBytes;
    }

    /** @return {@code general.architecture}, or "unknown" */
    public String architecture() {
        return getString("general.architecture", "unknown");
    }

    /** Little-endian reads with bounds checks against the file size. */
    private static final class Reader {
        private final InputStream in;
        private final long size;
        private final Path path;
        private long pos;
        private final byte[] buf = new byte[8];

        Reader(InputStream in, long size, Path path) {
            this.in = in;
            this.size = size;
            this.path = path;
        }

        long position() {
            return pos;
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

        long count(String what) throws IOException {
            long n = u64();
            if (n < 0 || n > MAX_COUNT) {
                throw new GgufFormatException(path + ": implausible " + what + " " + Long.toUnsignedString(n));
            }
            return n;
        }

        String string() throws IOException {
            long n = u64();
            if (n < 0 || n > size - pos) {
                throw new GgufFormatException(path + ": string of " + Long.toUnsignedString(n) + " bytes at byte " + pos
                        + " runs past the end of the file (" + size + " bytes)");
            }
            byte[] b = in.readNBytes((int) n);
            if (b.length < n) {
                throw new EOFException("string at byte " + pos);
            }
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        GgufKv value(String key, GgufValueType t) throws IOException {
            if (t == GgufValueType.ARRAY) {
                GgufValueType et = GgufValueType.ofId(u32());
                long n = u64();
                long minBytes = et.size() > 0 ? n * et.size() : n * 8;
                if (n < 0 || n > Integer.MAX_VALUE || minBytes > size - pos) {
                    throw new GgufFormatException(path + ": array " + key + " of " + Long.toUnsignedString(n)
                            + " elements runs past the end of the file");
                }
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
                            a[i] = string();
                        }
                        yield a;
                    }
                    case ARRAY -> throw new GgufFormatException(path + ": nested array in " + key + " is not supported");
                };
                return new GgufKv(key, t, et, arr);
            }
            Object v = switch (t) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32 -> (int) scalarInt(t);
                case UINT64, INT64 -> u64();
                case FLOAT32 -> Float.intBitsToFloat(u32());
                case FLOAT64 -> Double.longBitsToDouble(u64());
                case BOOL -> u8() != 0;
                case STRING -> string();
                case ARRAY -> throw new IllegalStateException();
            };
            return new GgufKv(key, t, null, v);
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
}
