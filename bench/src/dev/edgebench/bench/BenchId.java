package dev.edgebench.bench;

import dev.edgebench.run.BenchmarkId;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;
import java.util.TreeMap;

/** The {@link BenchmarkId} of what JMH is running, from its parameters. */
public final class BenchId {
    private BenchId() {
    }

    /** @return the id of what JMH is running */
    public static String of(BenchmarkParams params) {
        Map<String, String> p = new TreeMap<>();
        for (String k : params.getParamsKeys()) {
            p.put(k, params.getParam(k));
        }
        return BenchmarkId.of(params.getBenchmark(), p);
    }
}
