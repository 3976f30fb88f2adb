package dev.edgebench.bench;

import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of one benchmark and parameter set: the benchmark method's simple name and its
 * parameters in name order, e.g. {@code DecodeBenchmark.decode[batch=1,depth=0,model=Llama-3.2-1B:Q4_0,...]}.
 * Used for file names in the run folder and to match results across runs.
 */
public final class BenchId {
    private BenchId() {
    }

    /** @return the id of what JMH is running */
    public static String of(BenchmarkParams params) {
        Map<String, String> p = new TreeMap<>();
        for (String k : params.getParamsKeys()) {
            p.put(k, params.getParam(k));
        }
        return of(params.getBenchmark(), p);
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

    /** @return a file-name-safe form of an id */
    public static String fileName(String id) {
        return dev.edgebench.results.RunAssembler.fileName(id);
    }
}
