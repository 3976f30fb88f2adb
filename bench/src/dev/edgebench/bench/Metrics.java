package dev.edgebench.bench;

import dev.edgebench.run.Metric;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.ScalarResult;

/** JMH secondary results of the {@link Metric} vocabulary: name, unit and aggregation from the metric. */
public final class Metrics {
    private Metrics() {
    }

    /** @return the metric's value as a JMH secondary result */
    public static ScalarResult scalar(Metric m, double value) {
        AggregationPolicy policy = switch (m.aggregation()) {
            case AVG -> AggregationPolicy.AVG;
            case MAX -> AggregationPolicy.MAX;
            case MIN -> AggregationPolicy.MIN;
        };
        return new ScalarResult(m.key(), value, m.unit(), policy);
    }
}
