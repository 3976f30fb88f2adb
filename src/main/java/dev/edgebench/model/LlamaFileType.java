package dev.edgebench.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * llama.cpp model file types ({@code enum llama_ftype}): what {@code llama-quantize} accepts by
 * name. Ids are llama.cpp's; a test checks them against the bound {@code LLAMA_FTYPE_*} constants.
 * The type of each tensor within a file type is chosen by llama.cpp's quantizer, not here.
 */
public enum LlamaFileType {
    F32(0),
    F16(1),
    Q4_0(2),
    Q4_1(3),
    Q8_0(7),
    Q5_0(8),
    Q5_1(9),
    Q2_K(10),
    Q3_K_S(11),
    Q3_K_M(12),
    Q3_K_L(13),
    Q4_K_S(14),
    Q4_K_M(15),
    Q5_K_S(16),
    Q5_K_M(17),
    Q6_K(18),
    IQ2_XXS(19),
    IQ2_XS(20),
    Q2_K_S(21),
    IQ3_XS(22),
    IQ3_XXS(23),
    IQ1_S(24),
    IQ4_NL(25),
    IQ3_S(26),
    IQ3_M(27),
    IQ2_S(28),
    IQ2_M(29),
    IQ4_XS(30),
    IQ1_M(31),
    BF16(32),
    TQ1_0(36),
    TQ2_0(37),
    MXFP4_MOE(38),
    NVFP4(39),
    Q1_0(40),
    Q2_0(41);

    private final int id;

    LlamaFileType(int id) {
        this.id = id;
    }

    /** @return the {@code llama_ftype} value */
    public int id() {
        return id;
    }

    /** @return whether the file is written directly (no quantizer pass): F32, F16, BF16 */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** @return the tensor type of the matrices of a float file type */
    public GgmlType floatTensorType() {
        return switch (this) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> throw new IllegalStateException(this + " is not a float file type");
        };
    }

    /**
     * @param id a {@code llama_ftype} value
     * @return the type, or null when it has no name here
     */
    public static LlamaFileType ofId(long id) {
        for (LlamaFileType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /**
     * @param name a file type name in any case ("q4_k_m", "Q4_K_M", "f16")
     * @return the type
     * @throws IllegalArgumentException naming the known types
     */
    public static LlamaFileType parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (LlamaFileType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown model type '" + name + "'; known: " + Arrays.toString(values()));
    }
}
