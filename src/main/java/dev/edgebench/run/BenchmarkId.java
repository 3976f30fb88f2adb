package dev.edgebench.run;

import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of one benchmark and parameter set: the benchmark method's simple name and its
 * parameters in name order, e.g. {@code DecodeBenchmark.decode[batch=1,depth=0,model=Llama-3.2-1B:Q4_0,...]}.
 * The plan names each benchmark by it, the forks name their files by it ({@link RunFolder#fileName}),
 * and compare matches results across runs by it.
 */
public final class BenchmarkId {
    private BenchmarkId() {
    }

    /**
     * @param benchmark fully qualified or simple "Class.method"
     * @param params    parameter values by name
     */
    public static String of(String benchmark, Map<String, String> params) {
        String[] parts = benchmark.split("\\.");
        String simple = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
        StringBuilder sb = new StringBuilder(simple).append('[');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return sb.append(']').toString();
    }
}
