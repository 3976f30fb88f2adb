package dev.edgebench.kernel;

import java.util.SplittableRandom;

/**
 * The seeded random data kernel inputs are filled with, so that a test can regenerate exactly
 * what a kernel was given. Never zeros: values are uniform in [-1, 1) as in llama.cpp's
 * test-backend-ops.
 *
 * <p>Stateless; thread-safe.
 */
public final class InputData {
    private InputData() {
    }

    /**
     * The seed of one source of a kernel.
     *
     * @param seed   the run's seed
     * @param source the source's index in the op's argument order
     */
    public static long sourceSeed(long seed, int source) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + source).nextLong();
    }

    /**
     * Fills {@code out[from..from+n)} with the values of elements {@code [first, first+n)} of a
     * source's uniform stream. Elements are generated in blocks of 4096 from per-block seeds, so
     * that any chunk can be produced without generating what precedes it.
     *
     * @param sourceSeed {@link #sourceSeed}
     * @param first      index of the first element
     * @param out        destination
     * @param from       first index written in {@code out}
     * @param n          elements to write
     */
    public static void uniform(long sourceSeed, long first, float[] out, int from, int n) {
        long i = first;
        int o = from;
        int left = n;
        while (left > 0) {
            long block = i >>> 12;
            int offset = (int) (i & 4095);
            SplittableRandom r = new SplittableRandom(sourceSeed ^ (block * 0xBF58476D1CE4E5B9L));
            for (int s = 0; s < offset; s++) {
                r.nextInt();
            }
            int take = Math.min(left, 4096 - offset);
            for (int k = 0; k < take; k++) {
                out[o++] = (r.nextInt() >>> 8) * 0x1.0p-23f - 1.0f;
            }
            i += take;
            left -= take;
        }
    }

    /** @return {@code n} values starting at element 0 of a source's stream */
    public static float[] uniform(long sourceSeed, int n) {
        float[] out = new float[n];
        uniform(sourceSeed, 0, out, 0, n);
        return out;
    }
}
