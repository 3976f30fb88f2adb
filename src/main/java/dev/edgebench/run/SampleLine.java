package dev.edgebench.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.Map;

/**
 * One line of {@code samples/<id>.jsonl}: what a forked benchmark JVM measured in one JMH
 * iteration, appended and flushed at once so that a crash or a kill loses nothing already
 * measured. Metric values are keyed by {@link Metric} name, in the metric's unit.
 *
 * @param iteration 1-based iteration of the fork, warm-up included
 * @param warmup    a warm-up iteration (not a sample)
 * @param pid       the fork's process id: compare resamples forks as well as samples
 * @param metrics   values by metric name
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SampleLine(int iteration, boolean warmup, long pid, Map<String, Double> metrics) {
}
