package dev.edgebench.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Seeded tensor contents for synthetic models. Each tensor's stream depends only on the model
 * seed and the tensor's name (SplitMix64), so files are byte-identical for the same name, type
 * and seed on any JVM and any machine.
 */
final class WeightGenerator {
    /** Standard deviation of weight matrices (a common initializer scale). */
    static final double WEIGHT_STD = 0.02;
    private static final int CHUNK = 1 << 20;

    private WeightGenerator() {
    }

    /** SplitMix64 step. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** FNV-1a over the UTF-8 bytes of a name. */
    static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /**
     * Writes a tensor's elements as {@code type} (F32, F16 or BF16).
     *
     * @param seed    the model seed
     * @param t       the tensor
     * @param init    "weight", "norm" or "bias" (others are computed by the caller)
     * @param out     destination
     */
    static void write(long seed, GgufTensorInfo t, String init, WritableByteChannel out) throws IOException {
        double center;
        double halfWidth;
        switch (init) {
            case "weight" -> {
                center = 0;
                halfWidth = WEIGHT_STD * Math.sqrt(3);
            }
            case "norm" -> {
                center = 1;
                halfWidth = 0.05;
            }
            case "bias" -> {
                center = 0;
                halfWidth = 0.02;
            }
            default -> throw new IllegalArgumentException("tensor " + t.name() + ": unknown initializer '" + init + "'");
        }
        long state = mix(seed ^ nameHash(t.name()));
        long n = t.nElements();
        GgmlType type = t.type();
        int width = switch (type) {
            case F32 -> 4;
            case F16, BF16 -> 2;
            default -> throw new IllegalArgumentException("tensor " + t.name() + ": cannot generate " + type + " directly");
        };
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        final double scale = 2.0 * halfWidth / (1 << 24);
        long done = 0;
        while (done < n) {
            buf.clear();
            int count = (int) Math.min((long) CHUNK / width, n - done);
            for (int i = 0; i < count; i += 2) {
                state += 0x9e3779b97f4a7c15L;
                long r = mix(state);
                float a = (float) (center - halfWidth + (r >>> 40) * scale);
                float b = (float) (center - halfWidth + ((r >>> 8) & 0xffffff) * scale);
                put(buf, type, a);
                if (i + 1 < count) {
                    put(buf, type, b);
                }
            }
            buf.flip();
            GgufWriter.writeFully(out, buf);
            done += count;
        }
    }

    private static void put(ByteBuffer buf, GgmlType type, float v) {
        switch (type) {
            case F32 -> buf.putFloat(v);
            case F16 -> buf.putShort(Float.floatToFloat16(v));
            default -> buf.putShort(toBf16(v));
        }
    }

    /** Round-to-nearest-even float to bfloat16, as ggml's {@code ggml_compute_fp32_to_bf16}. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    /** Writes a float array as F32. */
    static void writeFloats(float[] values, WritableByteChannel out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        buf.flip();
        GgufWriter.writeFully(out, buf);
    }

    /**
     * The per-dimension RoPE frequency factors llama.cpp's converter writes for Llama 3.1+
     * ({@code rope_freqs.weight}): 1 for high frequencies, the scaling factor for low ones, a
     * smooth blend between.
     */
    static float[] llama3RopeFreqs(int headDim, double theta, double factor, double lowFreqFactor, double highFreqFactor,
                                   double origCtx) {
        float[] out = new float[headDim / 2];
        double lowFreqWavelen = origCtx / lowFreqFactor;
        double highFreqWavelen = origCtx / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / StrictMath.pow(theta, 2.0 * i / headDim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) factor;
            } else {
                double smooth = (origCtx / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) (1.0 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
