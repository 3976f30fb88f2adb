package dev.edgebench.results;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an edgebench {@code .hlog} (HdrHistogram log format 1.3, values in ns, one tagged
 * interval histogram per metric and measurement iteration) and merges each tag's intervals.
 * Percentiles are HdrHistogram's ({@link Histogram#getValueAtPercentile}).
 */
public final class LatencyLog {
    /** Percentiles reported for every tag. */
    public static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

    private LatencyLog() {
    }

    /**
     * @return merged histogram per tag ("itl", "ttft", "prefill"), in first-seen order
     * @throws IllegalArgumentException when the file is missing or not an hlog
     */
    public static Map<String, Histogram> read(Path hlog) {
        Map<String, Histogram> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Histogram>> e : readIntervals(hlog).entrySet()) {
            out.put(e.getKey(), merge(e.getValue()));
        }
        return out;
    }

    /**
     * @return each tag's interval histograms (one per measured iteration), in file order
     * @throws IllegalArgumentException when the file is missing or not an hlog
     */
    public static Map<String, List<Histogram>> readIntervals(Path hlog) {
        if (!Files.isRegularFile(hlog)) {
            throw new IllegalArgumentException("latency log not found: " + hlog);
        }
        Map<String, List<Histogram>> out = new LinkedHashMap<>();
        try {
            HistogramLogReader r = new HistogramLogReader(hlog.toFile());
            EncodableHistogram e;
            while ((e = r.nextIntervalHistogram()) != null) {
                if (!(e instanceof Histogram h)) {
                    continue;
                }
                String tag = h.getTag() == null ? "untagged" : h.getTag();
                out.computeIfAbsent(tag, k -> new ArrayList<>()).add(h);
            }
        } catch (FileNotFoundException ex) {
            throw new IllegalArgumentException("latency log not found: " + hlog, ex);
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("not a readable HdrHistogram log: " + hlog + " (" + ex.getMessage() + ")", ex);
        }
        return out;
    }

    /** @return one histogram holding every value of the given ones (none: an empty histogram) */
    public static Histogram merge(List<Histogram> intervals) {
        if (intervals.isEmpty()) {
            return new Histogram(3);
        }
        Histogram f = intervals.get(0);
        Histogram m = new Histogram(f.getLowestDiscernibleValue(), f.getHighestTrackableValue(), f.getNumberOfSignificantValueDigits());
        intervals.forEach(m::add);
        return m;
    }

    /** @return count, mean and percentiles in µs of a histogram of ns values */
    public static Map<String, Double> summarize(Histogram h) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("count", (double) h.getTotalCount());
        m.put("meanUs", h.getMean() / 1000.0);
        m.put("minUs", h.getMinValue() / 1000.0);
        for (double p : PERCENTILES) {
            m.put(key(p), h.getValueAtPercentile(p) / 1000.0);
        }
        m.put("maxUs", h.getMaxValue() / 1000.0);
        return m;
    }

    /** @return the map key of a percentile: p50Us, p99.9Us */
    public static String key(double p) {
        return (p == Math.rint(p) ? "p" + (long) p : "p" + p) + "Us";
    }
}
