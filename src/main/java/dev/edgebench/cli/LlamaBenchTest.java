package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.results.Stats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One test of llama-bench's JSON output ({@code -o json}), as {@code parity} reads it: the tokens
 * of one repetition and each timed repetition's rate, from {@code samples_ns}. llama-bench's own
 * {@code avg_ts} is the mean over every timed repetition; on a GPU the first of them runs at
 * 0.5–0.75 of the others (seen in every pp512 run on an H200), so the mean without it is the
 * figure that compares like for like with edgebench, whose warm-up discards the equivalent.
 *
 * @param nPrompt     prompt tokens of the test (0 for a generation test)
 * @param nGen        generated tokens of the test (0 for a prompt test)
 * @param samplesTokS tokens per second of each timed repetition, in order
 * @param buildCommit llama-bench's {@code build_commit} ("unknown" when built from a source without git history)
 */
record LlamaBenchTest(int nPrompt, int nGen, double[] samplesTokS, String buildCommit) {
    /** What llama-bench says when its source had no git history. */
    static final String UNKNOWN_COMMIT = "unknown";

    /** @return every test of llama-bench's JSON array, in order */
    static List<LlamaBenchTest> parse(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("llama-bench's JSON output is not an array");
        }
        List<LlamaBenchTest> out = new ArrayList<>();
        for (JsonNode t : array) {
            int p = t.path("n_prompt").asInt();
            int g = t.path("n_gen").asInt();
            JsonNode ns = t.path("samples_ns");
            double[] ts = new double[ns.size()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = (double) (p + g) * 1e9 / ns.get(i).asDouble();
            }
            out.add(new LlamaBenchTest(p, g, ts, t.path("build_commit").asText(UNKNOWN_COMMIT)));
        }
        return out;
    }

    /** @return llama-bench's own figure: the mean rate over every timed repetition */
    double meanTokS() {
        return Arrays.stream(samplesTokS).average().orElse(Double.NaN);
    }

    /** @return the mean rate without the first timed repetition (NaN with fewer than two) */
    double meanWithoutFirstTokS() {
        return samplesTokS.length < 2 ? Double.NaN : Arrays.stream(samplesTokS, 1, samplesTokS.length).average().orElse(Double.NaN);
    }

    /** @return the median rate of the timed repetitions */
    double medianTokS() {
        return samplesTokS.length == 0 ? Double.NaN : Stats.of(samplesTokS).median();
    }

    /** @return the first timed repetition's rate over the mean of the others (NaN with fewer than two) */
    double firstRelative() {
        return samplesTokS.length < 2 ? Double.NaN : samplesTokS[0] / meanWithoutFirstTokS();
    }

    /** One llama-bench test ({@code -p N -n 0} or {@code -p 0 -n N}); null when it failed. */
    static LlamaBenchTest run(Path bench, Path model, int nPrompt, int nGen, int threads, int gpuLayers, int reps)
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
        for (LlamaBenchTest t : LlamaBenchTest.parse(new ObjectMapper().readTree(out))) {
            if (t.nPrompt() == nPrompt && t.nGen() == nGen && t.samplesTokS().length > 0) {
                return t;
            }
        }
        System.err.println("parity: llama-bench's output has no test with n_prompt " + nPrompt + " and n_gen " + nGen);
        return null;
    }
}
