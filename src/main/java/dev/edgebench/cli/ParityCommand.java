package dev.edgebench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.Models;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.results.Stats;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

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
 * Before the counted rounds, {@code --warmup-rounds} (default 1) whole rounds run and are reported
 * apart: without one, round 1 put whichever side went first onto a machine that had idled (model
 * forging, loading), and on an H200 edgebench, first in round 1, had its lowest decode ratio of five
 * rounds for three of six models (0.968–0.982 against medians of 0.990–1.002).
 *
 * <p>Fair both ways: llama-bench's mean includes its first timed repetition, which on a GPU runs at
 * 0.5–0.75 of the others (edgebench's warm-up discards the equivalent), so every llama-bench figure
 * is reported with and without it (the {@code -1st} rows, read from {@code samples_ns}) and the
 * output says which is like for like. Prompt sizes default to 128 and 512 (decode runs once, with
 * the first). llama-bench built from a source without git history says its commit is "unknown":
 * parity.json then records the commit from the build manifest, and says so.
 */
@Command(name = "parity", mixinStandardHelpOptions = true, sortOptions = false,
        description = "edgebench's prefill and decode against the pinned llama-bench, back to back, alternating order.")
final class ParityCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "M", description = "catalog NAME:TYPE or a .gguf file")
    String model = "Llama-3.2-1B:Q4_0";
    @Option(names = "--rounds", paramLabel = "N", description = "rounds (each runs both sides)")
    int rounds = 3;
    @Option(names = "--warmup-rounds", paramLabel = "N", description = "whole rounds run first and not counted (default 1)")
    int warmupRounds = 1;
    @Option(names = "--reps", paramLabel = "N", description = "samples per side (llama-bench -r for the generation test)")
    int reps = 5;
    @Option(names = "--prompt", paramLabel = "N[,N...]", split = ",",
            description = "prompt sizes to compare (default 128,512); decode runs with the first")
    List<Integer> nPrompts = List.of(128, 512);
    @Option(names = "--gen", paramLabel = "N")
    int nGen = 128;
    @Option(names = "--threads", paramLabel = "N",
            description = "CPU threads for both sides (default: as run picks them: every CPU, or 4 with every layer on a GPU)")
    int threads = 0;
    @Option(names = "--ngl", paramLabel = "auto|N")
    String ngl = "auto";
    @Option(names = "--pp-reps", paramLabel = "auto|N",
            description = "llama-bench's prompt-test repetitions (auto: as many as edgebench timed prefills in round 1)")
    String ppReps = "auto";
    @Option(names = "--out", paramLabel = "DIR")
    Path outDir;

    /** One prompt size of one round: edgebench's prefill and llama-bench's prompt test. */
    record PromptRound(int nPrompt, double[] eb, LlamaBenchTest lb) {
        ObjectNode json() {
            ObjectNode m = JsonNodeFactory.instance.objectNode();
            m.put("nPrompt", nPrompt);
            m.put("edgebenchTokS", eb[0]);
            m.put("edgebenchP50TokS", eb[3]);
            m.put("edgebenchPrefillsTimed", (long) eb[2]);
            m.put("llamaBenchReps", lb.samplesTokS().length);
            m.put("llamaBenchTokS", lb.meanTokS());
            m.put("llamaBenchTokSWithoutFirst", lb.meanWithoutFirstTokS());
            m.put("llamaBenchP50TokS", lb.medianTokS());
            m.put("llamaBenchFirstRepRelative", lb.firstRelative());
            m.set("llamaBenchSamplesTokS", RunFolder.json().valueToTree(lb.samplesTokS()));
            m.put("ratio", eb[0] / lb.meanTokS());
            m.put("ratioWithoutFirst", eb[0] / lb.meanWithoutFirstTokS());
            m.put("p50Ratio", eb[3] / lb.medianTokS());
            return m;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (rounds < 1 || warmupRounds < 0 || reps < 2 || nGen < 1 || threads < 0 || nPrompts.isEmpty() || nPrompts.stream().anyMatch(n -> n == null || n < 1)) {
            throw new IllegalArgumentException("rounds >= 1, warm-up rounds >= 0, reps >= 2, prompt and gen >= 1, threads >= 0 (0: auto)");
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
        if (threads == 0) {
            threads = rt.defaultThreads(gpuLayers, ModelFacts.of(file).nLayer());
        }
        Path dir = RunFolder.create(RunCommand.runsDir(outDir), null, "parity").dir();
        int np = nPrompts.size();
        List<List<PromptRound>> pp = new ArrayList<>();
        List<double[]> ebTg = new ArrayList<>();
        List<LlamaBenchTest> lbTg = new ArrayList<>();
        ArrayNode log = JsonNodeFactory.instance.arrayNode();
        ArrayNode warmLog = JsonNodeFactory.instance.arrayNode();
        // the first round (a warm-up one where there is one) runs edgebench first, so its prefill counts
        // are known before llama-bench's first turn; the order alternates from there
        int[] lbPpReps = new int[np];
        Arrays.fill(lbPpReps, ppReps.equals("auto") ? -1 : Integer.parseInt(ppReps));
        long[] firstPrefills = new long[np];
        String buildCommit = null;
        for (int k = 0; k < warmupRounds + rounds; k++) {
            boolean warm = k < warmupRounds;
            int r = warm ? k : k - warmupRounds;
            String name = (warm ? "warm-up round " : "round ") + (r + 1);
            boolean ebFirst = k % 2 == 0;
            double[][] e = new double[np][];
            LlamaBenchTest[] lpp = new LlamaBenchTest[np];
            LlamaBenchTest ltg = null;
            for (int side = 0; side < 2; side++) {
                if ((side == 0) == ebFirst) {
                    for (int i = 0; i < np; i++) {
                        e[i] = edgebench(dir, (warm ? "warmup" : "round") + (r + 1), i, model, nPrompts.get(i), i == 0, nGen, threads, gpuLayers, reps);
                        if (e[i] == null) {
                            System.err.println("parity: " + name + " failed; see the output above");
                            return 1;
                        }
                        if (lbPpReps[i] < 0) {
                            firstPrefills[i] = (long) e[i][2];
                            lbPpReps[i] = promptReps(firstPrefills[i], reps);
                        }
                    }
                } else {
                    for (int i = 0; i < np; i++) {
                        lpp[i] = LlamaBenchTest.run(bench, file, nPrompts.get(i), 0, threads, gpuLayers, lbPpReps[i]);
                    }
                    ltg = LlamaBenchTest.run(bench, file, 0, nGen, threads, gpuLayers, reps);
                    if (ltg == null || Arrays.stream(lpp).anyMatch(x -> x == null)) {
                        System.err.println("parity: " + name + " failed; see the output above");
                        return 1;
                    }
                    buildCommit = ltg.buildCommit();
                }
            }
            List<PromptRound> prs = new ArrayList<>();
            for (int i = 0; i < np; i++) {
                prs.add(new PromptRound(nPrompts.get(i), e[i], lpp[i]));
            }
            (warm ? warmLog : log).add(roundJson(r, ebFirst, prs, e[0], ltg));
            if (!warm) {
                pp.add(prs);
                ebTg.add(e[0]);
                lbTg.add(ltg);
            }
            StringBuilder line = new StringBuilder("parity: " + name + (warm ? " (not counted):" : ":"));
            for (PromptRound pr : prs) {
                line.append(String.format(Locale.ROOT, " pp%d %.2f vs %.2f (%.4f; without llama-bench's first rep %.4f),", pr.nPrompt(),
                        pr.eb()[0], pr.lb().meanTokS(), pr.eb()[0] / pr.lb().meanTokS(), pr.eb()[0] / pr.lb().meanWithoutFirstTokS()));
            }
            line.append(String.format(Locale.ROOT, " tg%d %.2f vs %.2f (%.4f)", nGen, e[0][1], ltg.meanTokS(), e[0][1] / ltg.meanTokS()));
            System.err.println(line);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("model", ref.toString());
        out.put("file", file.toString());
        out.put("threads", threads);
        out.put("nGpuLayers", gpuLayers);
        out.put("nPrompt", nPrompts.get(0));
        out.set("nPrompts", RunFolder.json().valueToTree(nPrompts));
        out.put("nGen", nGen);
        out.put("repsPerSide", reps);
        out.put("llamaBenchPromptReps", lbPpReps[0]);
        out.set("llamaBenchPromptRepsPerPrompt", RunFolder.json().valueToTree(lbPpReps));
        String[] commit = buildCommit(buildCommit, rt.libraries().manifest());
        out.put("llamaBenchBuildCommit", commit[0]);
        out.put("buildCommitSource", commit[1]);
        out.put("likeForLike", "llama-bench without its first timed repetition (edgebench's warm-up discards the equivalent)");
        out.put("warmupRoundsRun", warmupRounds);
        out.set("warmupRounds", warmLog);
        out.set("rounds", log);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "parity: %s, %d threads, ngl %d, %d rounds (alternating order) after %d not counted,"
                        + " %d samples per side; llama-bench build %s (%s)%n", ref, threads, gpuLayers, rounds, warmupRounds, reps,
                commit[0], commit[1]));
        for (int i = 0; i < np; i++) {
            sb.append(String.format(Locale.ROOT, "  pp%d: llama-bench repeated %d times (edgebench timed %d prefills in its first turn)%n",
                    nPrompts.get(i), lbPpReps[i], firstPrefills[i]));
        }
        sb.append(String.format(Locale.ROOT, "%-13s %16s %16s %10s %22s%n", "test", "edgebench t/s", "llama-bench t/s", "ratio",
                "ratio min..max (CV)"));
        for (int i = 0; i < np; i++) {
            final int k = i;
            String n = "pp" + nPrompts.get(i);
            row(sb, out, n, pp, x -> x.get(k).eb()[0], x -> x.get(k).lb().meanTokS());
            row(sb, out, n + " -1st", pp, x -> x.get(k).eb()[0], x -> x.get(k).lb().meanWithoutFirstTokS());
            row(sb, out, n + " p50", pp, x -> x.get(k).eb()[3], x -> x.get(k).lb().medianTokS());
        }
        List<Integer> idx = java.util.stream.IntStream.range(0, rounds).boxed().toList();
        String tg = "tg" + nGen;
        row(sb, out, tg, idx, x -> ebTg.get(x)[1], x -> lbTg.get(x).meanTokS());
        row(sb, out, tg + " -1st", idx, x -> ebTg.get(x)[1], x -> lbTg.get(x).meanWithoutFirstTokS());
        row(sb, out, tg + " p50", idx, x -> ebTg.get(x)[4], x -> lbTg.get(x).medianTokS());
        double[] first = pp.stream().flatMap(List::stream).mapToDouble(x -> x.lb().firstRelative()).filter(d -> !Double.isNaN(d)).toArray();
        Stats fs = first.length == 0 ? null : Stats.of(first);
        sb.append(String.format(Locale.ROOT, "Like for like: the '-1st' rows, llama-bench without its first timed repetition (edgebench's"
                + " warm-up discards the equivalent); llama-bench's own figure is the plain row%s.%n", fs == null ? ""
                : String.format(Locale.ROOT, "; its first prompt repetition ran at %.2f..%.2f of its others here", fs.min(), fs.max())));
        RunFolder.writeJson(dir.resolve("parity.json"), out);
        System.out.print(sb);
        System.out.println("Written: " + dir.resolve("parity.json"));
        return 0;
    }

    /** One table row: the median over rounds of edgebench, llama-bench and their ratio, with the ratio's spread. */
    private static <T> void row(StringBuilder sb, ObjectNode out, String name, List<T> rounds,
                                java.util.function.ToDoubleFunction<T> eb, java.util.function.ToDoubleFunction<T> lb) {
        double[] ratios = rounds.stream().mapToDouble(x -> eb.applyAsDouble(x) / lb.applyAsDouble(x)).toArray();
        Stats rs = Stats.of(ratios);
        Stats es = Stats.of(rounds.stream().mapToDouble(eb).toArray());
        Stats ls = Stats.of(rounds.stream().mapToDouble(lb).toArray());
        sb.append(String.format(Locale.ROOT, "%-13s %16.2f %16.2f %10.4f %10.4f..%.4f (%s)%n", name, es.median(), ls.median(),
                rs.median(), rs.min(), rs.max(), Double.isNaN(rs.cv()) ? "n=1" : String.format(Locale.ROOT, "%.1f%%", rs.cv() * 100)));
        String key = name.replace(" -1st", ".no1st").replace(' ', '.');
        out.put(key + "RatioMedian", rs.median());
        out.set(key + "Ratio", RunFolder.json().valueToTree(RunAssembler.summary(rs)));
    }

    private static ObjectNode roundJson(int r, boolean ebFirst, List<PromptRound> prs, double[] e, LlamaBenchTest tg) {
        PromptRound p0 = prs.get(0);
        LlamaBenchTest l = p0.lb();
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("round", r + 1);
        row.put("order", ebFirst ? "edgebench,llama-bench" : "llama-bench,edgebench");
        row.put("edgebenchPrefillTokS", e[0]);
        row.put("edgebenchDecodeTokS", e[1]);
        row.put("edgebenchPrefillsTimed", (long) e[2]);
        row.put("llamaBenchPromptReps", l.samplesTokS().length);
        row.put("llamaBenchPrefillTokS", l.meanTokS());
        row.put("llamaBenchPrefillTokSWithoutFirst", l.meanWithoutFirstTokS());
        row.put("llamaBenchDecodeTokS", tg.meanTokS());
        row.put("llamaBenchDecodeTokSWithoutFirst", tg.meanWithoutFirstTokS());
        row.put("prefillRatio", e[0] / l.meanTokS());
        row.put("prefillRatioWithoutFirst", e[0] / l.meanWithoutFirstTokS());
        row.put("decodeRatio", e[1] / tg.meanTokS());
        row.put("decodeRatioWithoutFirst", e[1] / tg.meanWithoutFirstTokS());
        row.put("edgebenchPrefillP50TokS", e[3]);
        row.put("llamaBenchPrefillP50TokS", l.medianTokS());
        row.put("edgebenchDecodeP50TokS", e[4]);
        row.put("llamaBenchDecodeP50TokS", tg.medianTokS());
        row.put("prefillP50Ratio", e[3] / l.medianTokS());
        row.put("decodeP50Ratio", e[4] / tg.medianTokS());
        row.set("llamaBenchDecodeSamplesTokS", RunFolder.json().valueToTree(tg.samplesTokS()));
        ArrayNode prompts = row.putArray("prompts");
        prs.forEach(p -> prompts.add(p.json()));
        return row;
    }

    /**
     * @return {commit, source}: the commit the build manifest records for the engine source, which
     *         names the source that was compiled; llama-bench's own {@code build_commit} only where
     *         there is no manifest. llama-bench asks git in the folder it was built from: "unknown"
     *         without history (the offline bundle), and, where that folder lies inside another
     *         checkout, that checkout's commit (seen on the GPU machine: the project's own)
     */
    static String[] buildCommit(String llamaBench, Path manifest) {
        String says = llamaBench == null || llamaBench.isBlank() ? "nothing" : llamaBench;
        if (manifest != null) {
            try {
                String c = new ObjectMapper().readTree(manifest.toFile()).path("engine").path("gitCommit").asText("");
                if (!c.isBlank() && !c.equals(LlamaBenchTest.UNKNOWN_COMMIT)) {
                    return new String[]{c, c.startsWith(says) ? "build manifest (llama-bench agrees)"
                            : "build manifest (llama-bench says " + says + ")"};
                }
            } catch (IOException e) {
                return new String[]{says.equals("nothing") ? LlamaBenchTest.UNKNOWN_COMMIT : says,
                        "llama-bench; the build manifest is unreadable: " + e.getMessage()};
            }
        }
        if (!says.equals("nothing") && !says.equals(LlamaBenchTest.UNKNOWN_COMMIT)) {
            return new String[]{says, "llama-bench (no build manifest)"};
        }
        return new String[]{LlamaBenchTest.UNKNOWN_COMMIT, "llama-bench; no build manifest"};
    }

    /**
     * One edgebench side for one prompt size: prefill (and decode, with {@code decode}) through JMH
     * forks; returns tok/s {prefill mean, decode mean (NaN without decode), prefills timed, median
     * single prefill, median generation sample}.
     */
    private static double[] edgebench(Path dir, String round, int promptIndex, String model, int nPrompt, boolean decode, int nGen,
                                      int threads, int gpuLayers, int reps) throws IOException {
        String runId = round + "-edgebench" + (promptIndex == 0 ? "" : "-pp" + nPrompt);
        int rc = Cli.execute(new RunCommand(), new String[]{"--model", model, "--benchmarks", decode ? "prefill,decode" : "prefill",
                "--prompt", String.valueOf(nPrompt), "--gen", String.valueOf(nGen), "--threads", String.valueOf(threads), "--ngl",
                String.valueOf(gpuLayers), "--warmup", "1", "--samples", String.valueOf(reps), "--forks", "1", "--out", dir.toString(),
                "--run-id", runId,
                // llama-bench runs nothing beside its measurement: neither does this side
                "--no-telemetry", "--no-roofline"});
        if (rc != 0) {
            return null;
        }
        RunDocument run = RunDocuments.read(dir.resolve(runId).resolve("run.json"));
        double pp = Double.NaN;
        double tg = Double.NaN;
        double prefills = 0;
        double ppP50 = Double.NaN;
        double tgP50 = Double.NaN;
        for (RunDocument.BenchmarkResult b : run.benchmarks()) {
            RunDocument.Series m = b.metric(Workload.named(b.benchmark()).primary());
            Map<String, Double> lat = b.latency() == null ? Map.of() : b.latency().getOrDefault("prefill", Map.of());
            if (b.benchmark().equals(Workload.PREFILL.key()) && m != null) {
                pp = m.stats().mean();
                prefills = lat.getOrDefault("count", 0.0);
                ppP50 = nPrompt * 1e6 / lat.getOrDefault("p50Us", Double.NaN);
            } else if (b.benchmark().equals(Workload.DECODE.key()) && m != null) {
                tg = m.stats().mean();
                tgP50 = m.stats().median();
            }
        }
        if (Double.isNaN(pp) || decode && Double.isNaN(tg)) {
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

    private static int autoOrInt(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs auto or an integer, got '" + v + "'");
        }
    }
}
