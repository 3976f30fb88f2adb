package dev.edgebench.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * One cell of a run's grid: a workload with every parameter its benchmark takes, in JMH's string
 * form, and the samples it should produce.
 *
 * @param id       the benchmark id ({@link BenchmarkId}): file names and cross-run matching
 * @param workload what is measured
 * @param params   every {@code @Param} of the benchmark, by name, as JMH receives it
 * @param samples  measured samples per fork
 * @param forks    JMH forks
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PlannedBenchmark(String id, @JsonProperty("benchmark") Workload workload, Map<String, String> params, int samples, int forks) {
    public PlannedBenchmark {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }

    /** @return the JMH benchmark method, fully qualified (recorded in run.json for readers without the vocabulary) */
    @JsonProperty("jmhBenchmark")
    public String jmhBenchmark() {
        return workload.jmhBenchmark();
    }

    /** @return the value of one parameter as an int */
    public int intParam(String name) {
        return Integer.parseInt(params.get(name));
    }
}
