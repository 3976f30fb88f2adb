package dev.edgebench.load;

import dev.edgebench.latency.Slo;

/**
 * One batch of requests for the {@link RequestDriver}: how they arrive, how long they are, what
 * counts as good. Immutable; validated on construction (an {@link IllegalArgumentException} names
 * the field and the value).
 *
 * @param concurrency    requests in flight at most; the closed loop keeps exactly this many busy
 * @param ratePerS       open loop: mean arrivals per second from the seeded schedule; 0: closed loop
 * @param burstiness     open loop: gamma shape of the inter-arrival times (1 = Poisson)
 * @param requests       measured requests (with {@code durationNs}: at most this many)
 * @param durationNs     stop issuing new requests this long after the start; 0: issue all {@code requests}
 * @param warmupRequests requests run first, closed loop at the concurrency, and left out of every figure
 * @param nPrompt        prompt tokens (the mean, with {@code promptRange})
 * @param promptRange    0: every prompt is {@code nPrompt} long; else the uniform range's half-width as a fraction
 * @param nGen           output tokens asked for (max new tokens; the mean, with {@code genRange})
 * @param genRange       as {@code promptRange}, for output lengths
 * @param seed           seeds prompts, lengths and the schedule
 * @param slo            goodput objectives
 * @param nVocab         the model's vocabulary size (prompt token ids are drawn below it)
 * @param bosId          beginning-of-sequence token put first in every prompt, or -1
 * @param stallNs        when no event arrives for this long with requests in flight, they are cancelled and
 *                       recorded as failed (the run is never stuck)
 */
public record LoadSpec(int concurrency, double ratePerS, double burstiness, int requests, long durationNs, int warmupRequests,
                       int nPrompt, double promptRange, int nGen, double genRange, long seed, Slo slo, long nVocab, int bosId,
                       long stallNs) {
    /** Default stall limit: two minutes without any event. */
    public static final long DEFAULT_STALL_NS = 120_000_000_000L;

    public LoadSpec {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        if (ratePerS < 0 || Double.isNaN(ratePerS) || Double.isInfinite(ratePerS)) {
            throw new IllegalArgumentException("request rate must be positive (or 0 for the closed loop), was " + ratePerS);
        }
        if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
            throw new IllegalArgumentException("burstiness must be positive, was " + burstiness);
        }
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1, was " + requests);
        }
        if (durationNs < 0 || warmupRequests < 0) {
            throw new IllegalArgumentException("duration and warm-up requests must not be negative");
        }
        if (nPrompt < 1 || nGen < 1) {
            throw new IllegalArgumentException("prompt and output lengths must be at least 1, were " + nPrompt + " and " + nGen);
        }
        for (double r : new double[]{promptRange, genRange}) {
            if (r < 0 || r >= 1 || Double.isNaN(r)) {
                throw new IllegalArgumentException("a length range must be in [0, 1), was " + r);
            }
        }
        if (nVocab < 1) {
            throw new IllegalArgumentException("vocabulary size must be positive, was " + nVocab);
        }
        if (stallNs <= 0) {
            throw new IllegalArgumentException("stall limit must be positive, was " + stallNs);
        }
        slo = slo == null ? Slo.NONE : slo;
    }

    /** @return a closed-loop batch of fixed lengths: {@code requests} at {@code concurrency}, no SLO, no BOS */
    public static LoadSpec closed(int concurrency, int requests, int nPrompt, int nGen, long nVocab, long seed) {
        return new LoadSpec(concurrency, 0, 1, requests, 0, 0, nPrompt, 0, nGen, 0, seed, Slo.NONE, nVocab, -1, DEFAULT_STALL_NS);
    }

    /** @return whether requests follow the seeded arrival schedule (open loop) */
    public boolean openLoop() {
        return ratePerS > 0;
    }

    /** @return the same batch with another seed */
    public LoadSpec withSeed(long s) {
        return new LoadSpec(concurrency, ratePerS, burstiness, requests, durationNs, warmupRequests, nPrompt, promptRange, nGen,
                genRange, s, slo, nVocab, bosId, stallNs);
    }

    /** @return the same batch with other objectives */
    public LoadSpec withSlo(Slo s) {
        return new LoadSpec(concurrency, ratePerS, burstiness, requests, durationNs, warmupRequests, nPrompt, promptRange, nGen,
                genRange, seed, s, nVocab, bosId, stallNs);
    }

    /** @return the same batch in the open loop at {@code rate} requests/s with that burstiness */
    public LoadSpec withRate(double rate, double burst) {
        return new LoadSpec(concurrency, rate, burst, requests, durationNs, warmupRequests, nPrompt, promptRange, nGen, genRange,
                seed, slo, nVocab, bosId, stallNs);
    }

    /** @return the same batch with warm-up requests, a duration and a stall limit */
    public LoadSpec withLimits(int warmup, long duration, long stall) {
        return new LoadSpec(concurrency, ratePerS, burstiness, requests, duration, warmup, nPrompt, promptRange, nGen, genRange,
                seed, slo, nVocab, bosId, stall);
    }

    /** @return the same batch with length ranges and a beginning-of-sequence token */
    public LoadSpec withLengths(double pRange, double gRange, int bos) {
        return new LoadSpec(concurrency, ratePerS, burstiness, requests, durationNs, warmupRequests, nPrompt, pRange, nGen, gRange,
                seed, slo, nVocab, bos, stallNs);
    }
}
