package dev.edgebench.cli;

import dev.edgebench.run.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.Models;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.results.Stats;
import dev.edgebench.util.EdgebenchHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code parity}: edgebench's prefill and decode against the pinned {@code llama-bench} built
 * from the same source, on the same model, machine and threads, back to back in one run.
 * Rounds alternate the order (A B, B A, ...) so that drift hits both alike; each round gives a
 * ratio edgebench / llama-bench of mean tok/s, and the command prints the median ratio with the
 * spread over rounds. Results go to {@code results/runs/<id>/parity.json}.
 *
 * <p>Both sides time the same work. edgebench times its prefills back to back ({@code repeat=auto},
 * about 100 ms per sample), so llama-bench's prompt test gets as many repetitions as edgebench timed
 * prefills in the first round ({@code --pp-reps auto}). Ten lone 128-token prefills of a 1B model
 * (some 50 ms on an H100) gave llama-bench a 15% standard deviation there, 500 about 8%. The
 * generation test keeps {@code --reps}. Each side runs its own warm-up first, as llama-bench does.
 */
@Command(name = "parity", mixinStandardHelpOptions = true, sortOptions = false,
        description = "edgebench's prefill and decode against the pinned llama-bench, back to back, alternating order.")
final class ParityCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "M", description = "catalog NAME:TYPE or a .gguf file")
    String model = "Llama-3.2-1B:Q4_0";
    @Option(names = "--rounds", paramLabel = "N", description = "rounds (each runs both sides)")
    int rounds = 3;
    @Option(names = "--reps", paramLabel = "N", description = "samples per side (llama-bench -r for the generation test)")
    int reps = 5;
    @Option(names = "--prompt", paramLabel = "N")
    int nPrompt = 128;
    @Option(names = "--gen", paramLabel = "N")
    int nGen = 128;
    @Option(names = "--threads", paramLabel = "N")
    int threads = Runtime.getRuntime().availableProcessors();
    @Option(names = "--ngl", paramLabel = "auto|N")
    String ngl = "auto";
    @Option(names = "--pp-reps", paramLabel = "auto|N",
            description = "llama-bench's prompt-test repetitions (auto: as many as edgebench timed prefills in round 1)")
    String ppReps = "auto";
    @Option(names = "--out", paramLabel = "DIR")
    Path outDir;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (rounds < 1 || reps < 2 || nPrompt < 1 || nGen < 1 || threads < 1) {
            throw new IllegalArgumentException("rounds >= 1, reps >= 2, prompt, gen and threads >= 1");
        }
        if (!ngl.equals("auto") && autoOrInt("--ngl", ngl) < 0 || !ppReps.equals("auto") && autoOrInt("--pp-reps", ppReps) < 2) {
            throw new IllegalArgumentException("--ngl needs auto or >= 0, --pp-reps auto or >= 2");
        }
        Models.Ref ref;
        Path file;
        try {
            ref = Models.parse(model, Catalog.builtin());
            file = LlamaQuantizer.resolve(ref);
        } catch (RuntimeException e) {
            System.err.println("parity: " + e.getMessage());
            return 2;
        }
        LlamaRuntime rt = LlamaRuntime.get();
        Path bench = rt.libraries().libDir().resolveSibling("bin").resolve("llama-bench");
        if (!Files.isExecutable(bench)) {
            System.err.println("parity: the pinned llama-bench is not at " + bench + "; run `make native`");
            return 2;
        }
        int gpuLayers = ngl.equals("auto") ? (rt.supportsGpuOffload() ? 99 : 0) : Integer.parseInt(ngl);
        Path dir = RunFolder.create(RunCommand.runsDir(outDir), null, "parity").dir();

        List<double[]> eb = new ArrayList<>();
        List<double[]> lb = new ArrayList<>();
        List<Map<String, Object>> log = new ArrayList<>();
        // round 1 runs edgebench first, so its prefill count is known before llama-bench's first turn
        int lbPpReps = ppReps.equals("auto") ? -1 : Integer.parseInt(ppReps);
        for (int r = 0; r < rounds; r++) {
            boolean ebFirst = r % 2 == 0;
            double[] e = null;
            double[] l = null;
            for (int side = 0; side < 2; side++) {
                boolean doEb = (side == 0) == ebFirst;
                if (doEb) {
                    e = edgebench(dir, r, model, nPrompt, nGen, threads, gpuLayers, reps);
                    if (e != null && lbPpReps < 0) {
                        lbPpReps = promptReps((long) e[2], reps);
                    }
                } else {
                    l = llamaBench(bench, file, nPrompt, nGen, threads, gpuLayers, lbPpReps, reps);
                }
            }
            if (e == null || l == null) {
                System.err.println("parity: round " + (r + 1) + " failed; see the output above");
                return 1;
            }
            eb.add(e);
            lb.add(l);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("round", r + 1);
            row.put("order", ebFirst ? "edgebench,llama-bench" : "llama-bench,edgebench");
            row.put("edgebenchPrefillTokS", e[0]);
            row.put("edgebenchDecodeTokS", e[1]);
            row.put("edgebenchPrefillsTimed", (long) e[2]);
            row.put("llamaBenchPromptReps", lbPpReps);
            row.put("llamaBenchPrefillTokS", l[0]);
            row.put("llamaBenchDecodeTokS", l[1]);
            row.put("prefillRatio", e[0] / l[0]);
            row.put("decodeRatio", e[1] / l[1]);
            row.put("edgebenchPrefillP50TokS", e[3]);
            row.put("llamaBenchPrefillP50TokS", l[3]);
            row.put("edgebenchDecodeP50TokS", e[4]);
            row.put("llamaBenchDecodeP50TokS", l[4]);
            row.put("prefillP50Ratio", e[3] / l[3]);
            row.put("decodeP50Ratio", e[4] / l[4]);
            log.add(row);
            System.err.printf(Locale.ROOT, "parity: round %d: pp%d %.2f vs %.2f (%.4f; medians %.4f), tg%d %.2f vs %.2f (%.4f; medians %.4f)%n",
                    r + 1, nPrompt, e[0], l[0], e[0] / l[0], e[3] / l[3], nGen, e[1], l[1], e[1] / l[1], e[4] / l[4]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", ref.toString());
        out.put("file", file.toString());
        out.put("threads", threads);
        out.put("nGpuLayers", gpuLayers);
        out.put("nPrompt", nPrompt);
        out.put("nGen", nGen);
        out.put("repsPerSide", reps);
        out.put("llamaBenchPromptReps", lbPpReps);
        out.put("rounds", log);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "parity: %s, %d threads, ngl %d, %d rounds (alternating order), %d samples per side;"
                        + " llama-bench pp%d repeated %d times (edgebench timed %d prefills)%n",
                ref, threads, gpuLayers, rounds, reps, nPrompt, lbPpReps, (long) eb.get(0)[2]));
        sb.append(String.format(Locale.ROOT, "%-8s %16s %16s %10s %22s%n", "test", "edgebench t/s", "llama-bench t/s",
                "ratio", "ratio min..max (CV)"));
        // means (llama-bench's avg_ts), then medians: of single prefills (edgebench's prefill latency log,
        // llama-bench's samples_ns) and of whole generation runs, which a few slow outliers do not move
        String[] names = {"pp" + nPrompt, "tg" + nGen, null, "pp" + nPrompt + " p50", "tg" + nGen + " p50"};
        for (int mm : new int[]{0, 1, 3, 4}) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = eb.get(r)[mm] / lb.get(r)[mm];
            }
            Stats rs = Stats.of(ratios);
            Stats es = Stats.of(eb.stream().mapToDouble(x -> x[mm]).toArray());
            Stats ls = Stats.of(lb.stream().mapToDouble(x -> x[mm]).toArray());
            sb.append(String.format(Locale.ROOT, "%-8s %16.2f %16.2f %10.4f %10.4f..%.4f (%s)%n", names[mm], es.median(), ls.median(),
                    rs.median(), rs.min(), rs.max(), Double.isNaN(rs.cv()) ? "n=1" : String.format(Locale.ROOT, "%.1f%%", rs.cv() * 100)));
            String key = names[mm].replace(' ', '.');
            out.put(key + "RatioMedian", rs.median());
            out.put(key + "Ratio", RunAssembler.summary(rs));
        }
        RunFolder.writeJson(dir.resolve("parity.json"), out);
        System.out.print(sb);
        System.out.println("Written: " + dir.resolve("parity.json"));
        return 0;
    }

    /**
     * One edgebench side: prefill and decode through JMH forks; returns tok/s {prefill mean, decode mean, prefills timed,
     * median single prefill, median generation sample}.
     */
    private static double[] edgebench(Path dir, int round, String model, int nPrompt, int nGen, int threads, int gpuLayers,
                                      int reps) throws IOException {
        String runId = "round" + (round + 1) + "-edgebench";
        int rc = Cli.execute(new RunCommand(), new String[]{"--model", model, "--benchmarks", "prefill,decode", "--prompt", String.valueOf(nPrompt),
                "--gen", String.valueOf(nGen), "--threads", String.valueOf(threads), "--ngl", String.valueOf(gpuLayers),
                "--warmup", "1", "--samples", String.valueOf(reps), "--forks", "1", "--out", dir.toString(), "--run-id", runId,
                // llama-bench runs nothing beside its measurement: neither does this side
                "--no-telemetry", "--no-roofline"});
        if (rc != 0) {
            return null;
        }
        JsonNode run = new ObjectMapper().readTree(dir.resolve(runId).resolve("run.json").toFile());
        double pp = Double.NaN;
        double tg = Double.NaN;
        double prefills = 0;
        double ppP50 = Double.NaN;
        double tgP50 = Double.NaN;
        for (JsonNode b : run.path("benchmarks")) {
            if (b.path("benchmark").asText().equals("prefill")) {
                pp = b.path("metrics").path("prefill.tok_s").path("stats").path("mean").asDouble(Double.NaN);
                prefills = b.path("latency").path("prefill").path("count").asDouble(0);
                ppP50 = nPrompt * 1e6 / b.path("latency").path("prefill").path("p50Us").asDouble(Double.NaN);
            } else if (b.path("benchmark").asText().equals("decode")) {
                tg = b.path("metrics").path("decode.tok_s").path("stats").path("mean").asDouble(Double.NaN);
                tgP50 = b.path("metrics").path("decode.tok_s").path("stats").path("median").asDouble(Double.NaN);
            }
        }
        if (Double.isNaN(pp) || Double.isNaN(tg)) {
            System.err.println("parity: edgebench's run " + runId + " has no " + (Double.isNaN(pp) ? "prefill" : "decode")
                    + " result; see its run.json");
            return null;
        }
        return new double[]{pp, tg, prefills, ppP50, tgP50};
    }

    /**
     * llama-bench's repetitions of its prompt test: as many as edgebench timed prefills, so both
     * sides time the same work; never fewer than {@code reps}, and at most {@value #MAX_PROMPT_REPS}.
     */
    static int promptReps(long edgebenchPrefills, int reps) {
        return (int) Math.max(reps, Math.min(MAX_PROMPT_REPS, edgebenchPrefills));
    }

    static final int MAX_PROMPT_REPS = 5000;

    /** One llama-bench side (the prompt test, then the generation test); returns tok/s {pp mean, tg mean, -, pp median, tg median}. */
    private static double[] llamaBench(Path bench, Path model, int nPrompt, int nGen, int threads, int gpuLayers, int ppReps,
                                       int reps) throws IOException, InterruptedException {
        double[] pp = llamaBench(bench, model, nPrompt, 0, threads, gpuLayers, ppReps);
        double[] tg = pp == null ? null : llamaBench(bench, model, 0, nGen, threads, gpuLayers, reps);
        return tg == null ? null : new double[]{pp[0], tg[1], Double.NaN, pp[2], tg[3]};
    }

    private static double[] llamaBench(Path bench, Path model, int nPrompt, int nGen, int threads, int gpuLayers, int reps)
            throws IOException, InterruptedException {
        List<String> cmd = List.of(bench.toString(), "-m", model.toString(), "-p", String.valueOf(nPrompt), "-n", String.valueOf(nGen),
                "-t", String.valueOf(threads), "-ngl", String.valueOf(gpuLayers), "-r", String.valueOf(reps), "-o", "json");
        System.err.println("parity: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            System.err.println("parity: llama-bench failed (exit " + p.exitValue() + ")");
            return null;
        }
        JsonNode arr = new ObjectMapper().readTree(out);
        double pp = Double.NaN;
        double tg = Double.NaN;
        double ppP50 = Double.NaN;
        double tgP50 = Double.NaN;
        for (JsonNode t : arr) {
            if (t.path("n_prompt").asInt() > 0 && t.path("n_gen").asInt() == 0) {
                pp = t.path("avg_ts").asDouble();
                ppP50 = medianOf(t.path("samples_ts"));
            } else if (t.path("n_gen").asInt() > 0 && t.path("n_prompt").asInt() == 0) {
                tg = t.path("avg_ts").asDouble();
                tgP50 = medianOf(t.path("samples_ts"));
            }
        }
        return new double[]{pp, tg, ppP50, tgP50};
    }

    private static double medianOf(JsonNode values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).asDouble();
        }
        return v.length == 0 ? Double.NaN : Stats.of(v).median();
    }

    private static int autoOrInt(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs auto or an integer, got '" + v + "'");
        }
    }
}
