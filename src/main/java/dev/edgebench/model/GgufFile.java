package dev.edgebench.model;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The header of a GGUF file (versions 2 and 3): metadata and tensor directory, read and checked
 * in pure Java. Tensor data is not read; {@link #read} checks that every tensor's data lies
 * inside the file, so a truncated download is reported here rather than by a native crash.
 * Every count and length in the header is checked against what the rest of the file and the
 * JVM can hold before anything is allocated for it ({@link GgufReader}).
 *
 * <p>Immutable once read; thread-safe.
 */
public final class GgufFile {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    /** Least bytes of a tensor directory entry: name length, n_dims, one dimension, type, offset. */
    private static final long MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
    /** Least bytes of a metadata entry: key length, value type, a one-byte value. */
    private static final long MIN_KV_BYTES = 8 + 4 + 1;

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
     * @throws ModelFiles.PermissionDeniedException when it may not be read
     * @throws IOException         when it cannot be read at all
     */
    public static GgufFile read(Path path) throws IOException {
        return read(path, GgufReader::liveHeapFreeBytes, ModelFiles.FILES);
    }

    /** @see #read(Path, LongSupplier, ModelFiles.Opener) */
    static GgufFile read(Path path, LongSupplier heapFreeBytes) throws IOException {
        return read(path, heapFreeBytes, ModelFiles.FILES);
    }

    /**
     * Reads a header with the heap the JVM can still allocate given by {@code heapFreeBytes} and
     * files opened by {@code opener}, so that tests can reach the heap limit without filling the
     * heap and refuse access without changing permissions.
     */
    static GgufFile read(Path path, LongSupplier heapFreeBytes, ModelFiles.Opener opener) throws IOException {
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
        try (InputStream raw = ModelFiles.open(path, opener)) {
            GgufReader r = new GgufReader(new BufferedInputStream(raw, 1 << 16), size, heapFreeBytes);
            int magic = r.u32();
            if (magic != MAGIC) {
                throw new GgufFormatException(path + ": not a GGUF file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int version = r.u32();
            if (version < 2 || version > 3) {
                throw new GgufFormatException(path + ": GGUF version " + version + " is not supported (2 and 3 are)");
            }
            long nTensors = r.count("tensor count", MIN_TENSOR_INFO_BYTES);
            long nKv = r.count("metadata count", MIN_KV_BYTES);
            Map<String, GgufKv> kv = new LinkedHashMap<>();
            for (long i = 0; i < nKv; i++) {
                String key = r.string("key of metadata entry " + i);
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
            // each entry takes bytes of the file, but the list grows as entries are read, not up front
            List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(nTensors, 4096));
            for (long i = 0; i < nTensors; i++) {
                String name = r.string("name of tensor " + i);
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
}
