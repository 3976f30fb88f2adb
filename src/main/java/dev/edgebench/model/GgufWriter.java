package dev.edgebench.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: metadata and tensor directory first, then each tensor's data streamed
 * from a {@link TensorSource}, one tensor at a time, so that a model larger than memory can be
 * written. The file appears under its final name only when complete: it is written to
 * {@code <name>.partial} and renamed at the end; on any failure the partial file is deleted.
 *
 * <p>Not thread-safe.
 */
public final class GgufWriter {
    private final int alignment;
    private final Map<String, GgufKv> kv = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private long nextOffset;

    /** Produces the bytes of one tensor. */
    @FunctionalInterface
    public interface TensorSource {
        /**
         * Writes exactly {@code info.nBytes()} bytes.
         *
         * @param info the tensor
         * @param out  where to write them
         */
        void write(GgufTensorInfo info, WritableByteChannel out) throws IOException;
    }

    private record Pending(GgufTensorInfo info, TensorSource source) {
    }

    public GgufWriter() {
        this(GgufFile.DEFAULT_ALIGNMENT);
    }

    /** @param alignment data alignment in bytes, a power of two */
    public GgufWriter(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two, was " + alignment);
        }
        this.alignment = alignment;
        if (alignment != GgufFile.DEFAULT_ALIGNMENT) {
            put(GgufKv.ofU32("general.alignment", alignment));
        }
    }

    /** Adds or replaces a metadata entry (insertion order is file order). */
    public GgufWriter put(GgufKv entry) {
        kv.put(entry.key(), entry);
        return this;
    }

    /** @return the tensors added so far */
    public List<GgufTensorInfo> tensors() {
        return tensors.stream().map(Pending::info).toList();
    }

    /**
     * Adds a tensor.
     *
     * @param name   its name
     * @param ne     dimensions, innermost first
     * @param type   element type
     * @param source writes its data when the file is written
     * @return its directory entry
     */
    public GgufTensorInfo addTensor(String name, long[] ne, GgmlType type, TensorSource source) {
        GgufTensorInfo info = new GgufTensorInfo(name, ne.clone(), type, nextOffset);
        info.nBytes(); // checks the row against the block size
        tensors.add(new Pending(info, source));
        nextOffset = align(nextOffset + info.nBytes());
        return info;
    }

    /** @return bytes the file will have */
    public long fileBytes() {
        return align(headerBytes()) + nextOffset;
    }

    /**
     * Writes the file atomically.
     *
     * @param target final path; its parent folder must exist
     * @throws IOException on any failure; nothing is left at {@code target} or beside it
     */
    public void write(Path target) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        boolean done = false;
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate((int) align(headerBytes())).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(GgufFile.MAGIC).putInt(3).putLong(tensors.size()).putLong(kv.size());
            for (GgufKv e : kv.values()) {
                putString(header, e.key());
                header.putInt(e.type().id());
                putValue(header, e);
            }
            for (Pending p : tensors) {
                GgufTensorInfo t = p.info();
                putString(header, t.name());
                header.putInt(t.ne().length);
                for (long d : t.ne()) {
                    header.putLong(d);
                }
                header.putInt(t.type().id());
                header.putLong(t.offset());
            }
            header.position(header.capacity()).flip();
            writeFully(ch, header);
            long dataStart = ch.position();
            for (Pending p : tensors) {
                GgufTensorInfo t = p.info();
                long start = ch.position();
                p.source().write(t, ch);
                long written = ch.position() - start;
                if (written != t.nBytes()) {
                    throw new IOException("tensor " + t.name() + ": source wrote " + written + " bytes, expected " + t.nBytes());
                }
                long pad = align(written) - written;
                if (pad > 0) {
                    writeFully(ch, ByteBuffer.allocate((int) pad));
                }
                if (ch.position() - dataStart != align(t.offset() + t.nBytes())) {
                    throw new IOException("tensor " + t.name() + " ended at an unexpected offset");
                }
            }
            ch.force(false);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private long headerBytes() {
        long n = 4 + 4 + 8 + 8;
        for (GgufKv e : kv.values()) {
            n += 8 + utf8(e.key()).length + 4 + valueBytes(e);
        }
        for (Pending p : tensors) {
            n += 8 + utf8(p.info().name()).length + 4 + 8L * p.info().ne().length + 4 + 8;
        }
        if (n > Integer.MAX_VALUE - alignment) {
            throw new IllegalStateException("GGUF header of " + n + " bytes is too large");
        }
        return n;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long valueBytes(GgufKv e) {
        if (e.type() != GgufValueType.ARRAY) {
            return e.type() == GgufValueType.STRING ? 8 + utf8((String) e.value()).length : e.type().size();
        }
        long n = 4 + 8;
        if (e.elementType() == GgufValueType.STRING) {
            for (String s : (String[]) e.value()) {
                n += 8 + utf8(s).length;
            }
            return n;
        }
        return n + e.arrayLength() * e.elementType().size();
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] u = utf8(s);
        b.putLong(u.length).put(u);
    }

    private static void putValue(ByteBuffer b, GgufKv e) {
        if (e.type() == GgufValueType.ARRAY) {
            GgufValueType et = e.elementType();
            b.putInt(et.id()).putLong(e.arrayLength());
            switch (e.value()) {
                case int[] a -> {
                    for (int v : a) {
                        putScalarInt(b, et, v);
                    }
                }
                case long[] a -> {
                    for (long v : a) {
                        b.putLong(v);
                    }
                }
                case float[] a -> {
                    for (float v : a) {
                        b.putFloat(v);
                    }
                }
                case double[] a -> {
                    for (double v : a) {
                        b.putDouble(v);
                    }
                }
                case boolean[] a -> {
                    for (boolean v : a) {
                        b.put((byte) (v ? 1 : 0));
                    }
                }
                case String[] a -> {
                    for (String v : a) {
                        putString(b, v);
                    }
                }
                default -> throw new IllegalArgumentException("array value of " + e.key() + " has type " + e.value().getClass());
            }
            return;
        }
        switch (e.type()) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32 -> putScalarInt(b, e.type(), ((Number) e.value()).intValue());
            case UINT64, INT64 -> b.putLong(((Number) e.value()).longValue());
            case FLOAT32 -> b.putFloat(((Number) e.value()).floatValue());
            case FLOAT64 -> b.putDouble(((Number) e.value()).doubleValue());
            case BOOL -> b.put((byte) ((Boolean) e.value() ? 1 : 0));
            case STRING -> putString(b, (String) e.value());
            case ARRAY -> throw new IllegalStateException();
        }
    }

    private static void putScalarInt(ByteBuffer b, GgufValueType t, int v) {
        switch (t) {
            case UINT8, INT8 -> b.put((byte) v);
            case UINT16, INT16 -> b.putShort((short) v);
            default -> b.putInt(v);
        }
    }
}
