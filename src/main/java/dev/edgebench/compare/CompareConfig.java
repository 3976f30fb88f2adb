package dev.edgebench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Thresholds and what to compare, per suite (the preset name of the runs: {@code ci},
 * {@code quick}, ...; {@code jmh} for JMH JSON files). Read from a small JSON file
 * ({@code results/compare.json} by default, schema {@value #SCHEMA}):
 *
 * <pre>{@code
 * {
 *   "schema": "edgebench.compare-config/1",
 *   "suites": {
 *     "*":  {"threshold": 0.05, "latencyThreshold": 0.10, "maxCv": 0.25},
 *     "ci": {"threshold": 0.05, "metrics": ["primary"], "latencyPercentiles": [50, 99], "gateLatency": true,
 *            "rules": [{"benchmark": "DecodeBenchmark.decode*", "metric": "decode.tok_s", "threshold": 0.07}]}
 *   }
 * }
 * }</pre>
 *
 * The suite named like the current run's preset is laid over {@code "*"}, which is laid over the
 * built-in defaults ({@link Suite#DEFAULT}). A rule's {@code benchmark} is a glob on the
 * benchmark id ({@code *} any run of characters, {@code ?} one), {@code metric} a metric name or
 * {@code latency.<tag>.p<N>}; the last matching rule wins. Thresholds are fractions (0.05 = 5%).
 */
public final class CompareConfig {
    /** Schema id of the file. */
    public static final String SCHEMA = "edgebench.compare-config/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode doc;
    private final Path source;

    private CompareConfig(JsonNode doc, Path source) {
        this.doc = doc;
        this.source = source;
    }

    /** @return the built-in defaults only */
    public static CompareConfig defaults() {
        return new CompareConfig(JSON.createObjectNode(), null);
    }

    /** @throws BadInputException when the file is unreadable or malformed */
    public static CompareConfig load(Path file) throws BadInputException {
        try {
            JsonNode d = JSON.readTree(file.toFile());
            if (d == null || !d.isObject()) {
                throw new BadInputException("compare config " + file + " is not a JSON object");
            }
            String schema = d.path("schema").asText(SCHEMA);
            if (!SCHEMA.equals(schema)) {
                throw new BadInputException("compare config " + file + " has schema '" + schema + "'; expected " + SCHEMA);
            }
            CompareConfig c = new CompareConfig(d, file);
            Iterator<String> it = d.path("suites").fieldNames();
            while (it.hasNext()) {
                c.suite(it.next());
            }
            return c;
        } catch (IOException e) {
            throw new BadInputException("cannot read compare config " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the file it came from, or null for the defaults */
    public Path source() {
        return source;
    }

    /**
     * One suite's settings.
     *
     * @param name               suite name
     * @param threshold          relative change of a throughput metric that counts (0.05 = 5%)
     * @param latencyThreshold   relative change of a latency percentile that counts
     * @param metrics            metric names to compare; {@code primary} = each benchmark's primary metric, {@code all} = every metric
     * @param latencyPercentiles percentiles compared from the hlogs
     * @param latencyTags        hlog tags compared (itl, ttft; prefill is the prefill call, already the throughput metric)
     * @param gateLatency        whether a latency regression fails (exit 1), or is only reported
     * @param statistic          mean or median
     * @param maxCv              the noise guard: a metric whose samples' coefficient of variation exceeds this on
     *                           either side gets no verdict (inconclusive, "too noisy"), nor do that benchmark's latency percentiles
     * @param runToRunCv         run-to-run noise (CV of a run's mean between runs of one build) assumed when the baseline
     *                           records none; widens every interval (0: none)
     * @param rules              per-benchmark/metric thresholds
     */
    public record Suite(String name, double threshold, double latencyThreshold, List<String> metrics, double[] latencyPercentiles,
                        List<String> latencyTags, boolean gateLatency, Bootstrap.Statistic statistic, double maxCv, double runToRunCv,
                        List<Rule> rules) {
        /** Built-in defaults. */
        public static final Suite DEFAULT = new Suite("default", 0.05, 0.10, List.of("primary"), new double[]{50, 99},
                List.of("itl", "ttft"), true, Bootstrap.Statistic.MEAN, 0.25, 0, List.of());

        /** @return the threshold that applies to a benchmark's metric (latency metrics: {@code latency.<tag>.p<N>}) */
        public double thresholdFor(String id, String metric) {
            double t = metric.startsWith("latency.") ? latencyThreshold : threshold;
            for (Rule r : rules) {
                if (r.matches(id, metric) && r.threshold() != null) {
                    t = r.threshold();
                }
            }
            return t;
        }

        /** @return a copy with every throughput and latency threshold replaced (the --threshold option) */
        public Suite withThreshold(Double t, Double latencyT) {
            List<Rule> rs = rules;
            if (t != null || latencyT != null) {
                rs = rules.stream().filter(r -> r.metric() != null && r.metric().startsWith("latency.") ? latencyT == null : t == null).toList();
            }
            return new Suite(name, t != null ? t : threshold, latencyT != null ? latencyT : latencyThreshold, metrics,
                    latencyPercentiles, latencyTags, gateLatency, statistic, maxCv, runToRunCv, rs);
        }

        public Suite withMetrics(List<String> m) {
            return new Suite(name, threshold, latencyThreshold, m, latencyPercentiles, latencyTags, gateLatency, statistic, maxCv, runToRunCv,
                    rules);
        }

        public Suite withStatistic(Bootstrap.Statistic s) {
            return new Suite(name, threshold, latencyThreshold, metrics, latencyPercentiles, latencyTags, gateLatency, s, maxCv, runToRunCv,
                    rules);
        }

        public Suite withGateLatency(boolean g) {
            return new Suite(name, threshold, latencyThreshold, metrics, latencyPercentiles, latencyTags, g, statistic, maxCv, runToRunCv,
                    rules);
        }

        public Suite withMaxCv(double cv) {
            return new Suite(name, threshold, latencyThreshold, metrics, latencyPercentiles, latencyTags, gateLatency, statistic, cv, runToRunCv,
                    rules);
        }
    }

    /** A threshold for the benchmarks whose id matches a glob, optionally one metric only. */
    public record Rule(String benchmark, String metric, Double threshold) {
        boolean matches(String id, String m) {
            return (benchmark == null || glob(benchmark).matcher(id).matches()) && (metric == null || metric.equals(m));
        }
    }

    static Pattern glob(String g) {
        StringBuilder sb = new StringBuilder();
        for (char ch : g.toCharArray()) {
            switch (ch) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(sb.toString());
    }

    /**
     * @param name the suite (preset) name
     * @throws BadInputException when the suite's entry is malformed
     */
    public Suite suite(String name) throws BadInputException {
        Suite s = new Suite(name, Suite.DEFAULT.threshold(), Suite.DEFAULT.latencyThreshold(), Suite.DEFAULT.metrics(),
                Suite.DEFAULT.latencyPercentiles(), Suite.DEFAULT.latencyTags(), Suite.DEFAULT.gateLatency(), Suite.DEFAULT.statistic(),
                Suite.DEFAULT.maxCv(),
                Suite.DEFAULT.runToRunCv(), List.of());
        JsonNode suites = doc.path("suites");
        for (String key : new String[]{"*", name}) {
            JsonNode n = suites.path(key);
            if (n.isMissingNode()) {
                continue;
            }
            if (!n.isObject()) {
                throw bad(key, "is not an object");
            }
            double t = fraction(key, n, "threshold", s.threshold());
            double lt = fraction(key, n, "latencyThreshold", s.latencyThreshold());
            List<String> metrics = s.metrics();
            if (n.has("metrics")) {
                metrics = new ArrayList<>();
                for (JsonNode m : n.get("metrics")) {
                    metrics.add(m.asText());
                }
            }
            double[] ps = s.latencyPercentiles();
            if (n.has("latencyPercentiles")) {
                ps = new double[n.get("latencyPercentiles").size()];
                for (int i = 0; i < ps.length; i++) {
                    ps[i] = n.get("latencyPercentiles").get(i).asDouble();
                    if (!(ps[i] > 0 && ps[i] < 100)) {
                        throw bad(key, "latencyPercentiles must lie strictly between 0 and 100");
                    }
                }
            }
            List<String> tags = s.latencyTags();
            if (n.has("latencyTags")) {
                tags = new ArrayList<>();
                for (JsonNode tag : n.get("latencyTags")) {
                    tags.add(tag.asText());
                }
            }
            boolean gate = n.path("gateLatency").asBoolean(s.gateLatency());
            double maxCv = s.maxCv();
            if (n.has("maxCv")) {
                maxCv = n.get("maxCv").asDouble(Double.NaN);
                if (!(maxCv > 0)) {
                    throw bad(key, "maxCv must be a positive fraction, e.g. 0.25; was " + n.get("maxCv"));
                }
            }
            Bootstrap.Statistic st = s.statistic();
            if (n.has("statistic")) {
                try {
                    st = Bootstrap.Statistic.valueOf(n.get("statistic").asText().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw bad(key, "statistic must be mean or median");
                }
            }
            double runCv = n.has("runToRunCv") ? fraction(key, n, "runToRunCv", 0) : s.runToRunCv();
            List<Rule> rules = new ArrayList<>(s.rules());
            for (JsonNode r : n.path("rules")) {
                Double rt = r.has("threshold") ? fraction(key, r, "threshold", 0) : null;
                rules.add(new Rule(r.hasNonNull("benchmark") ? r.get("benchmark").asText() : null,
                        r.hasNonNull("metric") ? r.get("metric").asText() : null, rt));
            }
            s = new Suite(name, t, lt, List.copyOf(metrics), ps, List.copyOf(tags), gate, st, maxCv, runCv, List.copyOf(rules));
        }
        return s;
    }

    private BadInputException bad(String suite, String what) {
        return new BadInputException("compare config " + source + ": suite '" + suite + "' " + what);
    }

    private double fraction(String suite, JsonNode n, String field, double dflt) throws BadInputException {
        if (!n.has(field)) {
            return dflt;
        }
        double v = n.get(field).asDouble(Double.NaN);
        if (!(v >= 0 && v < 1)) {
            throw bad(suite, field + " must be a fraction in [0, 1), e.g. 0.05 for 5%; was " + n.get(field));
        }
        return v;
    }

    /** Parses a threshold given as 0.05 or 5%. */
    public static double parseThreshold(String s) {
        String t = s.trim();
        double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException("a threshold is a fraction in [0, 1) or a percentage below 100%, was '" + s + "'");
        }
        return v;
    }

}
