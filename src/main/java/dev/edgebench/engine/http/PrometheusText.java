package dev.edgebench.engine.http;

import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus text exposition (a server's {@code /metrics}) read into sample name (with its labels,
 * as written) → value, so that a run can store the difference between two scrapes (before and
 * after a step). Comment and blank lines are skipped; a sample line that is not
 * {@code name[{labels}] value [timestamp]} is refused, naming it. Stateless.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /** @throws IllegalArgumentException naming the first line that is not a sample */
    public static Map<String, Double> parse(String text) {
        Map<String, Double> m = new TreeMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int close = l.lastIndexOf('}');
            int sep = l.indexOf(' ', Math.max(close, 0));
            if (sep <= 0) {
                throw new IllegalArgumentException("metrics line " + lineNo + " is not 'name value': " + l);
            }
            String name = l.substring(0, sep);
            String[] rest = l.substring(sep + 1).strip().split("\\s+");
            try {
                m.put(name, Double.parseDouble(rest[0]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metrics line " + lineNo + " has no numeric value: " + l);
            }
        }
        return m;
    }

    /** @return after − before for every sample in {@code after} (a sample new in {@code after} counts from 0) */
    public static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> d = new TreeMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
        return d;
    }
}
