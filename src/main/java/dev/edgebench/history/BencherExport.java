package dev.edgebench.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one run of the history in Bencher Metric Format (BMF) JSON, for projects that already
 * track their benchmarks with Bencher ({@code bencher run --adapter json --file FILE}):
 * {@code {"<benchmark id>": {"<metric>": {"value": mean, "lower_value": CI low, "upper_value": CI high}}}}.
 * The value is the mean of the run's samples and the bounds the 95% CI of that mean (Student t),
 * as in summary.md; a metric with one sample has no bounds. Stateless.
 */
public final class BencherExport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BencherExport() {
    }

    /** @return the BMF document of the run's metrics */
    public static Map<String, Map<String, Map<String, Double>>> document(List<HistoryQueries.RunMetric> metrics) {
        Map<String, Map<String, Map<String, Double>>> out = new LinkedHashMap<>();
        for (HistoryQueries.RunMetric m : metrics) {
            Map<String, Double> measure = new LinkedHashMap<>();
            measure.put("value", m.mean());
            if (!Double.isNaN(m.ciLow()) && !Double.isNaN(m.ciHigh())) {
                measure.put("lower_value", m.ciLow());
                measure.put("upper_value", m.ciHigh());
            }
            out.computeIfAbsent(m.benchmark(), k -> new LinkedHashMap<>()).put(m.metric(), measure);
        }
        return out;
    }

    /** @return the BMF JSON text */
    public static String json(List<HistoryQueries.RunMetric> metrics) {
        try {
            return JSON.writeValueAsString(document(metrics)) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
