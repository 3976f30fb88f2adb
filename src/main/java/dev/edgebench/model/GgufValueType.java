package dev.edgebench.model;

/** Value types of GGUF metadata ({@code enum gguf_type}); ids are part of the file format. */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** @return the id in the file */
    public int id() {
        return id;
    }

    /** @return bytes of one value, or -1 for variable-size types */
    public int size() {
        return size;
    }

    /**
     * @throws GgufFormatException for ids outside the format
     */
    public static GgufValueType ofId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new GgufFormatException("unknown GGUF value type id " + id);
    }
}
