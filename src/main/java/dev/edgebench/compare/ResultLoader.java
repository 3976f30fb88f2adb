package dev.edgebench.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.results.LatencyLog;
import dev.edgebench.results.RunWriter;
import dev.edgebench.run.Metric;
import dev.edgebench.run.BenchmarkId;
import dev.edgebench.run.Workload;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one side of a comparison. Accepts a run folder or baseline folder (holding
 * {@code run.json}), a {@code run.json} file of schema {@value RunDocument#SCHEMA} (or {@value RunDocument#SCHEMA_V1}), or a JMH JSON
 * result file ({@code -rf json}; any benchmark, e.g. kernel benchmarks with op/shape/type
 * parameters). Every problem that makes the input unusable becomes a {@link BadInputException}
 * whose message names the file and what is wrong with it.
 */
public final class ResultLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultLoader() {
    }

    /**
     * @param path a run folder, a baseline folder, a run.json or a JMH JSON file
     * @throws BadInputException when it is missing, empty, corrupt, of another schema, or holds no benchmark
     */
    public static ResultSet load(Path path) throws BadInputException {
        Path file = path;
        if (Files.isDirectory(path)) {
            // a run whose process was killed: assemble what it measured first
            RunWriter.recover(path);
            file = path.resolve("run.json");
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(path + " is a folder without run.json: not a run folder nor a baseline");
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(path + " does not exist");
        }
        JsonNode doc;
        try {
            if (Files.size(file) == 0) {
                throw new BadInputException(file + " is empty (an interrupted write, or not a result file)");
            }
            doc = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + " is not valid JSON (corrupt or truncated): " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() : ""));
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            throw new BadInputException(file + " is empty (no JSON value)");
        }
        ResultSet rs;
        if (doc.isArray()) {
            rs = jmh(file, doc);
        } else if (doc.isObject() && doc.has("schema")) {
            rs = run(file, doc);
        } else {
            throw new BadInputException(file + " is neither an edgebench run.json (an object with \"schema\": \""
                    + RunDocument.SCHEMA + "\") nor a JMH JSON result file (an array of benchmark results)");
        }
        if (rs.benchmarks().isEmpty()) {
            throw new BadInputException(file + " holds no benchmark result");
        }
        return rs;
    }

    static ResultSet run(Path file, JsonNode doc) throws BadInputException {
        String schema = doc.path("schema").asText();
        if (!RunDocuments.readable(schema)) {
            throw new BadInputException(file + " has schema '" + schema + "'; this edgebench reads '" + RunDocument.SCHEMA
                    + "' and '" + RunDocument.SCHEMA_V1
                    + "'. Re-measure it with this version (for a baseline: run, then `baseline update`)");
        }
        JsonNode benches = doc.path("benchmarks");
        if (!benches.isArray()) {
            throw new BadInputException(file + " has no \"benchmarks\" list: the run did not finish assembling (see its folder)");
        }
        Path dir = file.toAbsolutePath().getParent();
        List<String> warnings = new ArrayList<>();
        Map<String, ResultSet.Bench> out = new LinkedHashMap<>();
        for (JsonNode b : benches) {
            String id = b.path("id").asText(null);
            if (id == null || id.isBlank()) {
                throw new BadInputException(file + ": a benchmark has no id");
            }
            Map<String, String> params = new TreeMap<>();
            b.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            Map<String, ResultSet.Metric> metrics = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = b.path("metrics").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode m = e.getValue();
                double[] v = numbers(file, id, e.getKey(), m.path("values"));
                if (v.length == 0) {
                    continue;
                }
                int[] forks = new int[v.length];
                JsonNode f = m.path("forks");
                if (f.isArray() && f.size() == v.length) {
                    for (int i = 0; i < v.length; i++) {
                        forks[i] = Math.max(0, f.get(i).asInt());
                    }
                }
                metrics.put(e.getKey(), new ResultSet.Metric(e.getKey(), m.path("unit").asText(""),
                        m.path("higherIsBetter").asBoolean(true), v, forks));
            }
            String kind = b.path("benchmark").asText("");
            String status = b.path("status").asText("ok");
            String primary = Arrays.stream(Workload.values()).filter(w -> w.key().equals(kind)).findFirst()
                    .map(w -> w.primary().key()).orElse(metrics.isEmpty() ? null : metrics.keySet().iterator().next());
            Map<String, List<Histogram>> latency = Map.of();
            String hlog = b.path("hlog").asText(null);
            if (hlog != null) {
                Path h = dir.resolve(hlog);
                if (!Files.isRegularFile(h)) {
                    warnings.add(id + ": latency log " + h + " is missing; its percentiles are not compared");
                } else {
                    try {
                        latency = LatencyLog.readIntervals(h);
                    } catch (IllegalArgumentException ex) {
                        throw new BadInputException(file + ": " + ex.getMessage(), ex);
                    }
                }
            }
            if (!"ok".equals(status)) {
                warnings.add(id + " is " + status + (b.hasNonNull("error") ? ": " + b.get("error").asText().lines().findFirst().orElse("") : ""));
            }
            Map<String, Object> telemetry = b.path("telemetry").isObject() ? JSON.convertValue(b.get("telemetry"), Map.class) : Map.of();
            out.put(id, new ResultSet.Bench(id, kind, params, status, b.path("error").asText(null), primary, metrics, latency, telemetry));
        }
        com.fasterxml.jackson.databind.node.ObjectNode runDoc = ((com.fasterxml.jackson.databind.node.ObjectNode) doc).deepCopy();
        runDoc.remove("benchmarks");
        String label = doc.path("runId").asText(file.getParent() == null ? file.toString() : file.getParent().getFileName().toString());
        String suite = doc.path("preset").path("name").asText("default");
        int runs = 1;
        Map<String, Map<String, double[]>> runToRun = new LinkedHashMap<>();
        Path meta = dir.resolve("baseline.json");
        if (Files.isRegularFile(meta)) {
            try {
                JsonNode m = JSON.readTree(meta.toFile());
                runs = Math.max(1, m.path("runs").asInt(1));
                m.path("runMeans").fields().forEachRemaining(e -> {
                    Map<String, double[]> per = new LinkedHashMap<>();
                    e.getValue().fields().forEachRemaining(x -> {
                        double[] v = new double[x.getValue().size()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = x.getValue().get(i).asDouble();
                        }
                        per.put(x.getKey(), v);
                    });
                    runToRun.put(e.getKey(), per);
                });
            } catch (IOException e) {
                throw new BadInputException(meta + " is not valid JSON (corrupt or truncated): " + e.getMessage(), e);
            }
        }
        return new ResultSet(file, schema, label, suite, runDoc, out, warnings, runs, runToRun);
    }

    private static double[] numbers(Path file, String id, String metric, JsonNode arr) throws BadInputException {
        if (!arr.isArray()) {
            throw new BadInputException(file + ": " + id + " metric " + metric + " has no per-sample \"values\" list");
        }
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = arr.get(i);
            if (!x.isNumber()) {
                throw new BadInputException(file + ": " + id + " metric " + metric + " value " + i + " is not a number: " + x);
            }
            v[i] = x.asDouble();
        }
        return v;
    }

    /** A JMH JSON result file: primary and secondary metrics with their raw per-fork, per-iteration data. */
    static ResultSet jmh(Path file, JsonNode doc) throws BadInputException {
        Map<String, ResultSet.Bench> out = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (JsonNode r : doc) {
            String benchmark = r.path("benchmark").asText(null);
            if (benchmark == null || !r.has("primaryMetric")) {
                throw new BadInputException(file + " is a JSON array but not a JMH result file: an entry has no benchmark/primaryMetric");
            }
            Map<String, String> params = new TreeMap<>();
            r.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            String id = BenchmarkId.of(benchmark, params);
            String mode = r.path("mode").asText("");
            Map<String, ResultSet.Metric> metrics = new LinkedHashMap<>();
            JsonNode pm = r.get("primaryMetric");
            ResultSet.Metric primary = jmhMetric("score", pm, "thrpt".equals(mode));
            if (primary != null) {
                metrics.put("score", primary);
            } else {
                warnings.add(id + ": no raw data in the primary metric; not comparable");
            }
            Iterator<Map.Entry<String, JsonNode>> it = r.path("secondaryMetrics").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String unit = e.getValue().path("scoreUnit").asText("");
                ResultSet.Metric m = jmhMetric(e.getKey(), e.getValue(), higherIsBetter(unit));
                if (m != null) {
                    metrics.put(e.getKey(), m);
                }
            }
            if (out.containsKey(id)) {
                throw new BadInputException(file + " has " + id + " twice");
            }
            // a kernel's JMH score is one graph run of `copies` ops, and copies comes from a sizing rule that
            // depends on the backend and may change between versions: the time per op is the kernel's figure
            String primaryName = metrics.containsKey(Metric.KERNEL_US_PER_OP.key()) ? Metric.KERNEL_US_PER_OP.key() : "score";
            out.put(id, new ResultSet.Bench(id, mode, params, metrics.isEmpty() ? "failed" : "ok",
                    metrics.isEmpty() ? "no raw data" : null, primaryName, metrics, Map.of(), Map.of()));
        }
        String name = file.getFileName().toString();
        return new ResultSet(file, "jmh", name, "jmh", null, out, warnings, 1, Map.of());
    }

    /** JMH units: throughput-like units (x/s, ops/x) are higher-is-better, times and sizes lower-is-better. */
    static boolean higherIsBetter(String unit) {
        String u = unit.toLowerCase(Locale.ROOT);
        return u.endsWith("/s") || u.endsWith("/sec") || u.startsWith("ops/") || u.endsWith("flops");
    }

    private static ResultSet.Metric jmhMetric(String name, JsonNode m, boolean higherIsBetter) {
        JsonNode raw = m.path("rawData");
        if (!raw.isArray() || raw.isEmpty()) {
            return null;
        }
        List<Double> v = new ArrayList<>();
        List<Integer> f = new ArrayList<>();
        int fork = 0;
        for (JsonNode forkData : raw) {
            for (JsonNode x : forkData) {
                if (x.isNumber()) {
                    v.add(x.asDouble());
                    f.add(fork);
                }
            }
            fork++;
        }
        if (v.isEmpty()) {
            return null;
        }
        return new ResultSet.Metric(name, m.path("scoreUnit").asText(""), higherIsBetter,
                v.stream().mapToDouble(Double::doubleValue).toArray(), f.stream().mapToInt(Integer::intValue).toArray());
    }
}
