package dev.edgebench.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Histories of the kernel suite built from real measured samples: the committed
 * {@code kernels-tiny/kernels-jmh.json} is one run of
 * {@code java -jar target/benchmarks.jar kernels --model edgebench-tiny:Q8_0 --no-step --threads 1 --cold-mib 0}
 * on a shared 2-core AMD EPYC VM (15 kernels, JMH 1 fork x 5 iterations of 400 ms; trimmed to
 * the fields the reader uses). Each history run draws, for every kernel, as many samples as
 * were measured from that kernel's real samples, with replacement, from a seeded stream; a
 * planted change multiplies one kernel's draws by a factor from a given run on. So the runs
 * differ as resamples of one real measurement do, and only the planted kernel changes.
 */
final class KernelHistory {
    static final String FIXTURE = "/dev/edgebench/history/kernels-tiny/kernels-jmh.json";
    /** The kernel the tests plant a change on: the output projection, the step's largest matrix product. */
    static final String PLANTED_OP = "MUL_MAT q8_0[64x32064] f32[64x1]";
    /**
     * Draws per measured sample in the planted-change tests: 4, so 20 samples per kernel and run (a CI
     * run of 4 forks x 5 iterations) from the 5 measured. With 5 per run, as measured, the per-run
     * mean of the planted kernel (CV 3.7% per sample on this shared VM) varies too much for the exact
     * run to be found in every history: ChangeDetectionTest measures how often it is
     */
    static final int PLANTED_DRAWS = 4;
    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    final ArrayNode real;
    /** how many times each fork's measured count of samples a run draws (1: as many as were measured) */
    final int drawFactor;

    KernelHistory() {
        this(1);
    }

    KernelHistory(int drawFactor) {
        this.drawFactor = drawFactor;
        try (InputStream in = KernelHistory.class.getResourceAsStream(FIXTURE)) {
            real = (ArrayNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the ops (the kernel parameter) of the fixture, in file order */
    List<String> ops() {
        List<String> out = new ArrayList<>();
        real.forEach(r -> out.add(r.path("params").path("op").asText()));
        return out;
    }

    /**
     * @param run        1-based run number
     * @param seed       the history's seed
     * @param plantedOp  the op to change, or null
     * @param fromRun    the first run (1-based) with the change
     * @param factor     what the op's times are multiplied by from then on
     * @return the run's JMH document: every benchmark of the fixture with resampled raw data
     */
    ArrayNode run(int run, long seed, String plantedOp, int fromRun, double factor) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + run);
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode r : real) {
            ObjectNode copy = r.deepCopy();
            boolean planted = plantedOp != null && run >= fromRun && plantedOp.equals(r.path("params").path("op").asText());
            resample((ObjectNode) copy.get("primaryMetric"), rnd, planted ? factor : 1, drawFactor);
            copy.get("secondaryMetrics").fields().forEachRemaining(e -> resample((ObjectNode) e.getValue(), rnd,
                    planted ? (e.getKey().equals("kernel.gbps") ? 1 / factor : factor) : 1, drawFactor));
            out.add(copy);
        }
        return out;
    }

    private static void resample(ObjectNode metric, SplittableRandom rnd, double factor, int drawFactor) {
        ArrayNode raw = (ArrayNode) metric.get("rawData");
        ArrayNode drawn = JSON.createArrayNode();
        for (JsonNode fork : raw) {
            ArrayNode f = drawn.addArray();
            for (int i = 0; i < fork.size() * drawFactor; i++) {
                f.add(fork.get(rnd.nextInt(fork.size())).asDouble() * factor);
            }
        }
        metric.set("rawData", drawn);
    }

    /** Writes run {@code run} as {@code dir/r<NN>/kernels-jmh.json} and returns that file. */
    Path write(Path dir, int run, long seed, String plantedOp, int fromRun, double factor) {
        Path f = dir.resolve(String.format("r%02d", run)).resolve("kernels-jmh.json");
        try {
            Files.createDirectories(f.getParent());
            JSON.writeValue(f.toFile(), run(run, seed, plantedOp, fromRun, factor));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** The ingest options of run {@code run}: its id, an hourly start time and a commit label. */
    static IngestOptions options(int run) {
        return new IngestOptions(String.format("r%02d", run), START.plusSeconds(3600L * run), String.format("c%02d", run), "AMD EPYC (test)",
                null);
    }

    /** @return the primary-metric series of a history built in memory (no database): for many seeds quickly */
    List<Series> series(int runs, long seed, String plantedOp, int fromRun, double factor) {
        List<List<Series.Point>> points = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            ArrayNode doc = run(r, seed, plantedOp, fromRun, factor);
            RunInfo info = runInfo(r);
            for (int k = 0; k < doc.size(); k++) {
                if (points.size() <= k) {
                    points.add(new ArrayList<>());
                    ids.add(doc.get(k).path("params").path("op").asText());
                }
                double[] v = values(doc.get(k).path("primaryMetric").path("rawData"));
                dev.edgebench.results.Stats st = dev.edgebench.results.Stats.of(v);
                points.get(k).add(new Series.Point(info, v, new int[v.length], st.mean(), st.ciLow(), st.ciHigh()));
            }
        }
        List<Series> out = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            out.add(new Series(new Series.Key("KernelBenchmark.kernel[op=" + ids.get(k) + "]", "score", "AMD EPYC (test)", "preset=jmh"),
                    "us/op", false, true, points.get(k), List.of()));
        }
        return out;
    }

    static RunInfo runInfo(int r) {
        IngestOptions o = options(r);
        return new RunInfo(o.runId(), "0".repeat(64), "jmh", o.startedAt(), null, null, "jmh", o.device(), "preset=jmh", null, null, null,
                null, null, null, null, null, null, o.codeCommit(), null, null, "memory", Instant.EPOCH);
    }

    private static double[] values(JsonNode raw) {
        List<Double> v = new ArrayList<>();
        raw.forEach(f -> f.forEach(x -> v.add(x.asDouble())));
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
