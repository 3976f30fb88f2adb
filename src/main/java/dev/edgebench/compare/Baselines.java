package dev.edgebench.compare;

import dev.edgebench.results.LatencyLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.run.RunFolder;
import dev.edgebench.results.Stats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Stored baselines: {@code results/baselines/<platform>/} holds a run's {@code run.json}, the
 * {@code hlog/} files it references, its {@code summary.md}, and {@code baseline.json} (schema
 * {@value #SCHEMA}: platform, source run, when, the project's git commit, and the environment,
 * engine build, models and preset it was measured with). {@link #update} replaces a platform's
 * baseline atomically: the new folder is written beside it under a temporary name, then swapped
 * in by two renames; an update interrupted between the two renames is repaired by the next
 * {@link #update} or {@link #recover}.
 */
public final class Baselines {
    private static final ObjectMapper JSON = RunFolder.json();
    /** Schema id of baseline.json. */
    public static final String SCHEMA = "edgebench.baseline/1";

    private Baselines() {
    }

    /**
     * The platform name of a run: {@code jetson-orin}/{@code jetson-thor} for the Jetson profiles,
     * {@code <gpu>-cuda} (e.g. {@code h100-cuda}) for a CUDA build with a GPU, else
     * {@code <arch>-cpu-<isa>} (e.g. {@code x86_64-cpu-avx2}).
     */
    public static String platform(JsonNode run) {
        JsonNode profile = EnvironmentDiff.get(run, "engine.build.profile");
        String p = profile.isMissingNode() ? EnvironmentDiff.get(run, "engine.profile").asText("null") : profile.asText();
        if (p.startsWith("jetson-")) {
            return sanitize(p);
        }
        JsonNode gpus = EnvironmentDiff.get(run, "environment.gpus");
        boolean cuda = EnvironmentDiff.get(run, "engine.build.cuda.enabled").asBoolean(false) || p.equals("cuda");
        if (cuda && gpus.size() > 0 && gpus.get(0).hasNonNull("name")) {
            return sanitize(gpuShortName(gpus.get(0).get("name").asText()) + "-cuda");
        }
        String arch = EnvironmentDiff.get(run, "environment.host.arch").asText("null");
        arch = switch (arch) {
            case "amd64", "x86-64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch;
        };
        JsonNode isa = EnvironmentDiff.get(run, "engine.build.cpuIsa");
        return sanitize(arch + "-cpu-" + (isa.isMissingNode() || isa.isNull() ? "unknown" : isa.asText()));
    }

    /** "NVIDIA H100 80GB HBM3" → h100; "NVIDIA GeForce RTX 4090" → rtx4090; "NVIDIA L40S" → l40s */
    static String gpuShortName(String name) {
        StringBuilder sb = new StringBuilder();
        for (String t : name.toLowerCase(Locale.ROOT).split("[\\s_-]+")) {
            if (t.isEmpty() || t.equals("nvidia") || t.equals("geforce") || t.equals("tesla") || t.equals("quadro")) {
                continue;
            }
            sb.append(t);
            if (t.matches(".*\\d.*")) {
                break;
            }
        }
        return sb.isEmpty() ? "gpu" : sb.toString();
    }

    static String sanitize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
    }

    /**
     * Stores a run as the platform's baseline, replacing the one there.
     *
     * @see #update(List, Path, String, boolean, String)
     */
    public static Path update(Path runDir, Path rootDir, String platform, boolean force, String gitCommit)
            throws BadInputException, IOException {
        return update(List.of(runDir), rootDir, platform, force, gitCommit);
    }

    /**
     * Stores one run, or several runs of one build on one machine, as the platform's baseline,
     * replacing the one there. Several runs are pooled: their samples become one result set whose
     * forks are every run's forks, their latency logs one log; and from 3 runs on, the
     * run means (and latency percentiles) are recorded per benchmark and metric in baseline.json
     * ({@code runMeans}, with their coefficient of variation in {@code runToRunCv}): compare
     * folds that run-to-run noise, which no single run can show, into its intervals.
     *
     * @param runDirs  run folders (holding run.json and hlog/); the first gives the environment and order
     * @param rootDir  the baselines folder (results/baselines)
     * @param platform the platform name, or null to derive it from the first run
     * @param force    accept interrupted runs, runs with failed benchmarks, and runs of differing builds or machines
     * @param gitCommit the project's commit, or null
     * @return the baseline folder
     * @throws BadInputException when a run is unusable (bad file, failed benchmarks or mixed builds without force)
     */
    public static Path update(List<Path> runDirs, Path rootDir, String platform, boolean force, String gitCommit)
            throws BadInputException, IOException {
        if (runDirs.isEmpty()) {
            throw new BadInputException("no run to store");
        }
        List<ResultSet> sets = new ArrayList<>();
        for (Path runDir : runDirs) {
            ResultSet rs = ResultLoader.load(runDir);
            if (rs.run() == null) {
                throw new BadInputException(runDir + " is a JMH result file; a baseline is made from edgebench run folders (their"
                        + " environment and engine build are part of the baseline)");
            }
            String status = rs.run().path("status").asText("null");
            long bad = rs.benchmarks().values().stream().filter(b -> !b.ok()).count();
            if (!force && (!"complete".equals(status) || bad > 0)) {
                throw new BadInputException("run " + rs.label() + " is " + status + " with " + bad + " benchmark(s) not ok; a baseline"
                        + " should be complete runs (use --force to store it anyway)");
            }
            if (!sets.isEmpty() && !force) {
                List<EnvironmentDiff.Difference> d = EnvironmentDiff.diff(sets.get(0).run(), rs.run()).stream()
                        .filter(x -> !x.category().equals("software")).toList();
                if (!d.isEmpty()) {
                    throw new BadInputException("run " + rs.label() + " differs from " + sets.get(0).label() + " (" + d.get(0)
                            + (d.size() > 1 ? ", and " + (d.size() - 1) + " more" : "") + "); the runs of one baseline must be of one"
                            + " build, machine and protocol (use --force to pool them anyway)");
                }
            }
            sets.add(rs);
        }
        ResultSet first = sets.get(0);
        Path srcDir = first.source().toAbsolutePath().getParent();
        String name = platform != null ? sanitize(platform) : platform(first.run());
        Files.createDirectories(rootDir);
        recover(rootDir, name);
        Path target = rootDir.resolve(name);
        long tag = ProcessHandle.current().pid() * 1000 + (System.nanoTime() % 1000);
        Path tmp = rootDir.resolve("." + name + ".tmp-" + tag);
        Path old = rootDir.resolve("." + name + ".old-" + tag);
        try {
            Files.createDirectories(tmp.resolve("hlog"));
            ObjectNode doc = (ObjectNode) JSON.readTree(first.source().toFile());
            Map<String, Map<String, double[]>> runToRun = new LinkedHashMap<>();
            for (JsonNode bm : doc.path("benchmarks")) {
                if (bm instanceof ObjectNode b) {
                    pool(b, sets, tmp, runToRun);
                }
            }
            if (sets.size() > 1) {
                doc.put("runId", first.label() + " +" + (sets.size() - 1) + " run(s)");
                doc.set("pooledRuns", JSON.valueToTree(sets.stream().map(ResultSet::label).toList()));
            }
            RunFolder.writeJson(tmp.resolve("run.json"), doc);
            if (Files.isRegularFile(srcDir.resolve("summary.md"))) {
                Files.copy(srcDir.resolve("summary.md"), tmp.resolve("summary.md"));
            }
            ObjectNode meta = JSON.createObjectNode();
            meta.put("schema", SCHEMA);
            meta.put("platform", name);
            meta.put("sourceRunId", first.label());
            meta.put("sourcePath", srcDir.toString());
            meta.put("runs", sets.size());
            meta.set("sourceRunIds", JSON.valueToTree(sets.stream().map(ResultSet::label).toList()));
            meta.put("updatedAt", Instant.now().toString());
            meta.put("gitCommit", gitCommit);
            meta.put("benchmarks", first.benchmarks().size());
            meta.set("runMeans", JSON.valueToTree(runToRun));
            Map<String, Map<String, Double>> cvs = new LinkedHashMap<>();
            runToRun.forEach((id, per) -> {
                Map<String, Double> c = new LinkedHashMap<>();
                per.forEach((k, v) -> c.put(k, cv(java.util.Arrays.stream(v).boxed().toList())));
                cvs.put(id, c);
            });
            meta.set("runToRunCv", JSON.valueToTree(cvs));
            for (String k : List.of("environment", "engine", "models", "preset")) {
                meta.set(k, first.run().get(k));
            }
            RunFolder.writeJson(tmp.resolve("baseline.json"), meta);
            boolean had = Files.exists(target);
            if (had) {
                move(target, old);
            }
            move(tmp, target);
            if (had) {
                deleteTree(old);
            }
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    /**
     * Pools one benchmark of every run into the first run's entry (values, forks renumbered so
     * that each run's forks stay apart, stats, sample counts, one merged hlog) and records the
     * run-to-run CV of its metrics and latency percentiles.
     */
    private static void pool(ObjectNode b, List<ResultSet> sets, Path tmp, Map<String, Map<String, double[]>> runToRun)
            throws IOException {
        String id = b.path("id").asText();
        Map<String, double[]> cvs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : b.path("metrics").properties()) {
            List<Double> values = new ArrayList<>();
            List<Integer> forks = new ArrayList<>();
            List<Double> runMeans = new ArrayList<>();
            int forkBase = 0;
            for (ResultSet rs : sets) {
                ResultSet.Bench x = rs.benchmarks().get(id);
                ResultSet.Metric m = x == null ? null : x.metrics().get(e.getKey());
                if (m == null || !x.ok()) {
                    continue;
                }
                int maxFork = 0;
                for (int i = 0; i < m.values().length; i++) {
                    values.add(m.values()[i]);
                    forks.add(forkBase + m.forks()[i]);
                    maxFork = Math.max(maxFork, m.forks()[i]);
                }
                forkBase += maxFork + 1;
                runMeans.add(Stats.of(m.values()).mean());
            }
            if (values.isEmpty()) {
                continue;
            }
            double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
            ObjectNode m = (ObjectNode) e.getValue();
            m.set("values", JSON.valueToTree(v));
            m.set("forks", JSON.valueToTree(forks));
            m.set("stats", JSON.valueToTree(RunAssembler.summary(Stats.of(v))));
            if (runMeans.size() >= 3) {
                cvs.put(e.getKey(), runMeans.stream().mapToDouble(Double::doubleValue).toArray());
            }
            b.put("samples", v.length);
        }
        if (b.path("hlog").isTextual()) {
            String h = b.path("hlog").asText();
            Map<String, List<Histogram>> all = new LinkedHashMap<>();
            Map<String, List<List<Histogram>>> perRun = new LinkedHashMap<>();
            for (ResultSet rs : sets) {
                ResultSet.Bench x = rs.benchmarks().get(id);
                if (x == null || !x.ok()) {
                    continue;
                }
                x.latency().forEach((t, hs) -> {
                    all.computeIfAbsent(t, k -> new ArrayList<>()).addAll(hs);
                    perRun.computeIfAbsent(t, k -> new ArrayList<>()).add(hs);
                });
            }
            if (!all.isEmpty()) {
                Path rel = Path.of("hlog").resolve(Path.of(h).getFileName());
                try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp.resolve(rel)), false, StandardCharsets.UTF_8)) {
                    HistogramLogWriter w = new HistogramLogWriter(ps);
                    w.outputComment("edgebench baseline " + id + ": the measured iterations of " + sets.size() + " run(s)");
                    w.outputLogFormatVersion();
                    w.outputBaseTime(0);
                    w.outputLegend();
                    for (Map.Entry<String, List<Histogram>> t : all.entrySet()) {
                        for (Histogram x : t.getValue()) {
                            x.setTag(t.getKey());
                            w.outputIntervalHistogram(x);
                        }
                    }
                }
                b.put("hlog", rel.toString());
                for (Map.Entry<String, List<List<Histogram>>> t : perRun.entrySet()) {
                    if (t.getValue().size() < 3) {
                        continue;
                    }
                    for (double p : LatencyLog.PERCENTILES) {
                        List<Double> runP = new ArrayList<>();
                        for (List<Histogram> run : t.getValue()) {
                            runP.add((double) LatencyLog.merge(run).getValueAtPercentile(p));
                        }
                        cvs.put(Comparer.latencyName(t.getKey(), p), runP.stream().mapToDouble(Double::doubleValue).toArray());
                    }
                }
            } else {
                b.remove("hlog");
            }
        }
        if (!cvs.isEmpty()) {
            runToRun.put(id, cvs);
        }
    }

    private static double cv(List<Double> xs) {
        double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double ss = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        return Math.sqrt(ss / (xs.size() - 1)) / Math.abs(mean);
    }

    /** Restores a platform's baseline left aside by an update that stopped between its two renames. */
    public static void recover(Path rootDir, String platform) throws IOException {
        Path target = rootDir.resolve(platform);
        if (Files.exists(target) || !Files.isDirectory(rootDir)) {
            return;
        }
        try (Stream<Path> s = Files.list(rootDir)) {
            Path old = s.filter(p -> p.getFileName().toString().startsWith("." + platform + ".old-")).findFirst().orElse(null);
            if (old != null) {
                move(old, target);
            }
        }
    }

    /** @return the platforms with a baseline, sorted */
    public static List<String> platforms(Path rootDir) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(rootDir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(rootDir)) {
            s.filter(p -> Files.isRegularFile(p.resolve("run.json")) && !p.getFileName().toString().startsWith("."))
                    .map(p -> p.getFileName().toString()).sorted().forEach(out::add);
        }
        return out;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

}
