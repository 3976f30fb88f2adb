package dev.edgebench.model;

import java.util.Arrays;

/**
 * One GGUF metadata entry. Scalars are boxed Java values ({@code Long} for 64-bit integers,
 * {@code Integer} for narrower ones, {@code Float}, {@code Double}, {@code Boolean}, {@code String});
 * arrays are primitive Java arrays of the element type ({@code int[]} for 8/16/32-bit integers,
 * {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}).
 *
 * @param key         the key, e.g. "llama.block_count"
 * @param type        the value's type; {@link GgufValueType#ARRAY} for arrays
 * @param elementType the element type of an array, else null
 * @param value       the value as described above
 */
public record GgufKv(String key, GgufValueType type, GgufValueType elementType, Object value) {
    /** @return the value as a long, for any integer type */
    public long asLong() {
        if (value instanceof Number n && type != GgufValueType.FLOAT32 && type != GgufValueType.FLOAT64) {
            return type == GgufValueType.UINT32 ? Integer.toUnsignedLong(n.intValue()) : n.longValue();
        }
        throw new GgufFormatException("metadata " + key + " is " + type + ", not an integer");
    }

    /** @return the value as a double, for any numeric type */
    public double asDouble() {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new GgufFormatException("metadata " + key + " is " + type + ", not a number");
    }

    /** @return number of elements of an array value, or 1 */
    public long arrayLength() {
        if (type != GgufValueType.ARRAY) {
            return 1;
        }
        return switch (value) {
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case Object[] a -> a.length;
            default -> throw new IllegalStateException("array of " + value.getClass());
        };
    }

    public static GgufKv ofU32(String key, long v) {
        return new GgufKv(key, GgufValueType.UINT32, null, (int) v);
    }

    public static GgufKv ofF32(String key, double v) {
        return new GgufKv(key, GgufValueType.FLOAT32, null, (float) v);
    }

    public static GgufKv ofString(String key, String v) {
        return new GgufKv(key, GgufValueType.STRING, null, v);
    }

    public static GgufKv ofBool(String key, boolean v) {
        return new GgufKv(key, GgufValueType.BOOL, null, v);
    }

    @Override
    public String toString() {
        String v = switch (value) {
            case int[] a -> "[" + a.length + " x " + elementType + "]";
            case long[] a -> "[" + a.length + " x " + elementType + "]";
            case float[] a -> a.length <= 8 ? Arrays.toString(a) : "[" + a.length + " x " + elementType + "]";
            case double[] a -> "[" + a.length + " x " + elementType + "]";
            case boolean[] a -> "[" + a.length + " x " + elementType + "]";
            case Object[] a -> "[" + a.length + " x " + elementType + "]";
            default -> String.valueOf(value);
        };
        return key + " = " + v;
    }
}
