package dev.edgebench.model;

import java.util.Locale;

/**
 * The ggml tensor types ({@code enum ggml_type}) with their block geometry. Ids are part of the
 * GGUF file format; a test checks every entry against the bound {@code ggml_type_size} and
 * {@code ggml_blck_size} of the built library.
 */
public enum GgmlType {
    F32(0, "f32", 1, 4, false),
    F16(1, "f16", 1, 2, false),
    Q4_0(2, "q4_0", 32, 18, true),
    Q4_1(3, "q4_1", 32, 20, true),
    Q5_0(6, "q5_0", 32, 22, true),
    Q5_1(7, "q5_1", 32, 24, true),
    Q8_0(8, "q8_0", 32, 34, true),
    Q8_1(9, "q8_1", 32, 36, true),
    Q2_K(10, "q2_K", 256, 84, true),
    Q3_K(11, "q3_K", 256, 110, true),
    Q4_K(12, "q4_K", 256, 144, true),
    Q5_K(13, "q5_K", 256, 176, true),
    Q6_K(14, "q6_K", 256, 210, true),
    Q8_K(15, "q8_K", 256, 292, true),
    IQ2_XXS(16, "iq2_xxs", 256, 66, true),
    IQ2_XS(17, "iq2_xs", 256, 74, true),
    IQ3_XXS(18, "iq3_xxs", 256, 98, true),
    IQ1_S(19, "iq1_s", 256, 50, true),
    IQ4_NL(20, "iq4_nl", 32, 18, true),
    IQ3_S(21, "iq3_s", 256, 110, true),
    IQ2_S(22, "iq2_s", 256, 82, true),
    IQ4_XS(23, "iq4_xs", 256, 136, true),
    I8(24, "i8", 1, 1, false),
    I16(25, "i16", 1, 2, false),
    I32(26, "i32", 1, 4, false),
    I64(27, "i64", 1, 8, false),
    F64(28, "f64", 1, 8, false),
    IQ1_M(29, "iq1_m", 256, 56, true),
    BF16(30, "bf16", 1, 2, false),
    TQ1_0(34, "tq1_0", 256, 54, true),
    TQ2_0(35, "tq2_0", 256, 66, true),
    MXFP4(39, "mxfp4", 32, 17, true),
    NVFP4(40, "nvfp4", 64, 36, true),
    Q1_0(41, "q1_0", 128, 18, true),
    Q2_0(42, "q2_0", 64, 18, true);

    private final int id;
    private final String ggmlName;
    private final int blockSize;
    private final int typeSize;
    private final boolean quantized;

    GgmlType(int id, String ggmlName, int blockSize, int typeSize, boolean quantized) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.quantized = quantized;
    }

    /** @return the numeric id in {@code enum ggml_type} and in GGUF files */
    public int id() {
        return id;
    }

    /** @return ggml's own name ({@code ggml_type_name}), e.g. "q4_K" */
    public String ggmlName() {
        return ggmlName;
    }

    /** @return elements per block ({@code ggml_blck_size}) */
    public int blockSize() {
        return blockSize;
    }

    /** @return bytes per block ({@code ggml_type_size}) */
    public int typeSize() {
        return typeSize;
    }

    /** @return whether it is a block-quantized type */
    public boolean isQuantized() {
        return quantized;
    }

    /**
     * @param nElements elements in a row; must be a multiple of {@link #blockSize()}
     * @return bytes of that row ({@code ggml_row_size})
     */
    public long rowBytes(long nElements) {
        if (nElements % blockSize != 0) {
            throw new IllegalArgumentException(nElements + " elements is not a multiple of the " + this + " block size " + blockSize);
        }
        return nElements / blockSize * typeSize;
    }

    /**
     * @param id a numeric ggml type id
     * @return the type
     * @throws IllegalArgumentException for ids no ggml type has
     */
    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ggml type id " + id);
    }

    /**
     * @param name a type name, any case ("q4_0", "Q4_0", "f16")
     * @return the type
     * @throws IllegalArgumentException listing the known names
     */
    public static GgmlType parse(String name) {
        for (GgmlType t : values()) {
            if (t.name().equalsIgnoreCase(name) || t.ggmlName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ggml type '" + name + "'; known: "
                + java.util.Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).toList());
    }
}
