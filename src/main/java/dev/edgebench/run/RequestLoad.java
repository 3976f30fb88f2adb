package dev.edgebench.run;

import java.util.List;

/**
 * The request-workload part of a run's options: which engine serves the requests and the load
 * offered to it. With the step engine ({@link #STEP_ENGINE}) the run measures the step benchmarks
 * (prefill, decode, generation) as always; any other engine specification runs
 * {@link Workload#REQUESTS} through the streaming engine found for it.
 *
 * @param engine        {@code llama} (the step engine) or a streaming engine specification ({@code llama-batched},
 *                      {@code trtllm:<engine dir>}, ...)
 * @param concurrencies requests in flight at most, swept
 * @param rates         open-loop request rates in requests/s, swept; empty: the closed loop
 * @param burstiness    gamma shape of the open loop's inter-arrival times (1 = Poisson)
 * @param requests      measured requests per sample
 * @param lengthRange   0: every prompt and output has the asked length; else lengths are drawn uniformly (seeded)
 *                      from [length·(1−r), length·(1+r)]
 * @param slo           goodput objectives as typed ({@code ttft=200ms,tpot=50ms}) or "none"
 */
public record RequestLoad(String engine, List<Integer> concurrencies, List<Double> rates, double burstiness, int requests,
                          double lengthRange, String slo) {
    /** The step engine's specification: today's step benchmarks. */
    public static final String STEP_ENGINE = "llama";
    /** No request load: the step engine, defaults for the rest. */
    public static final RequestLoad NONE = new RequestLoad(STEP_ENGINE, List.of(1), List.of(), 1.0, 16, 0, "none");

    public RequestLoad {
        concurrencies = List.copyOf(concurrencies);
        rates = List.copyOf(rates);
    }

    /** @return whether the run measures the step engine (no request workload) */
    public boolean stepEngine() {
        return STEP_ENGINE.equals(engine);
    }

    /** @return the {@code rate} parameter's values: "0" (closed loop) alone, or each rate */
    public List<String> rateParams() {
        return rates.isEmpty() ? List.of("0") : rates.stream().map(RequestLoad::number).toList();
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** @return the most tokens a drawn length of mean {@code n} can take ({@code dev.edgebench.load.Prompts#length}) */
    public static int maxLength(int n, double range) {
        return range <= 0 ? n : Math.max(1, (int) Math.ceil(n * (1 + range)));
    }

    /** @return the length range as the {@code lengthRange} parameter */
    public String lengthRangeParam() {
        return number(lengthRange);
    }

    /** @return the burstiness as the {@code burstiness} parameter */
    public String burstinessParam() {
        return number(burstiness);
    }
}
