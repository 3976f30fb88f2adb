package dev.edgebench.cli;

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
 */
final class ParityCommand {
    private ParityCommand() {
    }

    static int run(String[] argv) throws IOException, InterruptedException {
        String model = "Llama-3.2-1B:Q4_0";
        int rounds = 3;
        int reps = 5;
        int nPrompt = 128;
        int nGen = 128;
        int threads = Runtime.getRuntime().availableProcessors();
        String ngl = "auto";
        for (int i = 0; i < argv.length; i++) {
            String k = argv[i];
            if (i + 1 >= argv.length) {
                System.err.println("parity: " + k + " needs a value");
                return 2;
            }
            String v = argv[++i];
            try {
                switch (k) {
                    case "--model" -> model = v;
                    case "--rounds" -> rounds = Integer.parseInt(v);
                    case "--reps" -> reps = Integer.parseInt(v);
                    case "--prompt" -> nPrompt = Integer.parseInt(v);
                    case "--gen" -> nGen = Integer.parseInt(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--ngl" -> ngl = v;
                    default -> {
                        System.err.println("parity: unknown option " + k
                                + " (--model M --rounds N --reps N --prompt N --gen N --threads N --ngl auto|N)");
                        return 2;
                    }
                }
            } catch (NumberFormatException e) {
                System.err.println("parity: " + k + " needs an integer, got '" + v + "'");
                return 2;
            }
        }
        if (rounds < 1 || reps < 2 || nPrompt < 1 || nGen < 1 || threads < 1) {
            System.err.println("parity: rounds >= 1, reps >= 2, prompt, gen and threads >= 1");
            return 2;
        }
        Models.Ref ref;
        Path file;
        try {
            ref = Models.parse(model, Catalog.builtin());
            file = Models.resolve(ref, new LlamaQuantizer(), System.err::println);
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
        String id = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + "-parity";
        Path dir = EdgebenchHome.dir().resolve("results").resolve("runs").resolve(id);
        Files.createDirectories(dir);

        List<double[]> eb = new ArrayList<>();
        List<double[]> lb = new ArrayList<>();
        List<Map<String, Object>> log = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean ebFirst = r % 2 == 0;
            double[] e = null;
            double[] l = null;
            for (int side = 0; side < 2; side++) {
                boolean doEb = (side == 0) == ebFirst;
                if (doEb) {
                    e = edgebench(dir, r, model, nPrompt, nGen, threads, gpuLayers, reps);
                } else {
                    l = llamaBench(bench, file, nPrompt, nGen, threads, gpuLayers, reps);
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
            row.put("llamaBenchPrefillTokS", l[0]);
            row.put("llamaBenchDecodeTokS", l[1]);
            row.put("prefillRatio", e[0] / l[0]);
            row.put("decodeRatio", e[1] / l[1]);
            log.add(row);
            System.err.printf(Locale.ROOT, "parity: round %d: pp%d %.2f vs %.2f (%.4f), tg%d %.2f vs %.2f (%.4f)%n", r + 1, nPrompt,
                    e[0], l[0], e[0] / l[0], nGen, e[1], l[1], e[1] / l[1]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", ref.toString());
        out.put("file", file.toString());
        out.put("threads", threads);
        out.put("nGpuLayers", gpuLayers);
        out.put("nPrompt", nPrompt);
        out.put("nGen", nGen);
        out.put("repsPerSide", reps);
        out.put("rounds", log);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "parity: %s, %d threads, ngl %d, %d rounds (alternating order), %d samples per side%n",
                ref, threads, gpuLayers, rounds, reps));
        sb.append(String.format(Locale.ROOT, "%-8s %16s %16s %10s %22s%n", "test", "edgebench t/s", "llama-bench t/s",
                "ratio", "ratio min..max (CV)"));
        String[] names = {"pp" + nPrompt, "tg" + nGen};
        for (int m = 0; m < 2; m++) {
            final int mm = m;
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = eb.get(r)[mm] / lb.get(r)[mm];
            }
            Stats rs = Stats.of(ratios);
            Stats es = Stats.of(eb.stream().mapToDouble(x -> x[mm]).toArray());
            Stats ls = Stats.of(lb.stream().mapToDouble(x -> x[mm]).toArray());
            sb.append(String.format(Locale.ROOT, "%-8s %16.2f %16.2f %10.4f %10.4f..%.4f (%s)%n", names[m], es.median(), ls.median(),
                    rs.median(), rs.min(), rs.max(), Double.isNaN(rs.cv()) ? "n=1" : String.format(Locale.ROOT, "%.1f%%", rs.cv() * 100)));
            out.put(names[m] + "RatioMedian", rs.median());
            out.put(names[m] + "Ratio", rs.toMap());
        }
        RunAssembler.writeJson(dir.resolve("parity.json"), out);
        System.out.print(sb);
        System.out.println("Written: " + dir.resolve("parity.json"));
        return 0;
    }

    /** One edgebench side: prefill and decode through JMH forks; returns mean tok/s {prefill, decode}. */
    private static double[] edgebench(Path dir, int round, String model, int nPrompt, int nGen, int threads, int gpuLayers,
                                      int reps) throws IOException {
        String runId = "round" + (round + 1) + "-edgebench";
        int rc = RunCommand.run(new String[]{"--model", model, "--benchmarks", "prefill,decode", "--prompt", String.valueOf(nPrompt),
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
        for (JsonNode b : run.path("benchmarks")) {
            if (b.path("benchmark").asText().equals("prefill")) {
                pp = b.path("metrics").path("prefill.tok_s").path("stats").path("mean").asDouble(Double.NaN);
            } else if (b.path("benchmark").asText().equals("decode")) {
                tg = b.path("metrics").path("decode.tok_s").path("stats").path("mean").asDouble(Double.NaN);
            }
        }
        return new double[]{pp, tg};
    }

    /** One llama-bench side; returns its mean tok/s {pp, tg}. */
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
        for (JsonNode t : arr) {
            if (t.path("n_prompt").asInt() > 0 && t.path("n_gen").asInt() == 0) {
                pp = t.path("avg_ts").asDouble();
            } else if (t.path("n_gen").asInt() > 0 && t.path("n_prompt").asInt() == 0) {
                tg = t.path("avg_ts").asDouble();
            }
        }
        return new double[]{pp, tg};
    }
}
