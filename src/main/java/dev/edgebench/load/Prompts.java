package dev.edgebench.load;

import java.util.SplittableRandom;

/**
 * Synthetic requests' token ids and lengths, seeded: prompts of exact token length drawn from the
 * model's vocabulary (uniform random ids, the beginning-of-sequence token first where the model
 * wants one, as the step benchmarks and llama-bench do), and lengths fixed or drawn uniformly from
 * {@code [mean·(1−range), mean·(1+range)]} (vLLM's random dataset {@code --random-range-ratio}).
 * Stateless; thread-safe.
 */
public final class Prompts {
    private Prompts() {
    }

    /**
     * @param nVocab vocabulary size, positive
     * @param bosId  beginning-of-sequence id put first, or -1 for none
     * @param length tokens, at least 1
     * @param rng    the seeded source
     */
    public static int[] prompt(long nVocab, int bosId, int length, SplittableRandom rng) {
        if (nVocab <= 0 || nVocab > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("vocabulary size must be between 1 and 2^31-1, was " + nVocab);
        }
        if (length < 1) {
            throw new IllegalArgumentException("a prompt needs at least one token, was " + length);
        }
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = i == 0 && bosId >= 0 ? bosId : rng.nextInt((int) nVocab);
        }
        return p;
    }

    /**
     * @param mean  the length asked for, at least 1
     * @param range 0 for fixed lengths, else the half-width of the uniform range as a fraction of the mean, below 1
     * @return a length, at least 1
     */
    public static int length(int mean, double range, SplittableRandom rng) {
        if (range <= 0) {
            return mean;
        }
        int lo = Math.max(1, (int) Math.floor(mean * (1 - range)));
        int hi = Math.max(lo, (int) Math.ceil(mean * (1 + range)));
        return lo + rng.nextInt(hi - lo + 1);
    }

    /** @return the most tokens {@link #length} can return */
    public static int maxLength(int mean, double range) {
        return range <= 0 ? mean : Math.max(1, (int) Math.ceil(mean * (1 + range)));
    }
}
