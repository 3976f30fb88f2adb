package dev.edgebench.model;

import java.util.Arrays;

/**
 * One tensor's entry in a GGUF file.
 *
 * @param name   tensor name, e.g. "blk.0.attn_q.weight"
 * @param ne     dimensions, innermost first (GGUF/ggml order: ne[0] is the row length)
 * @param type   element type
 * @param offset byte offset of its data from the start of the data section
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long offset) {
    /** @return number of elements */
    public long nElements() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    /** @return bytes of its data */
    public long nBytes() {
        return type.rowBytes(ne[0]) * (nElements() / ne[0]);
    }

    /** @return bytes of one row (ne[0] elements) */
    public long rowBytes() {
        return type.rowBytes(ne[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && Arrays.equals(t.ne, ne) && t.type == type
                && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(ne);
    }
}
