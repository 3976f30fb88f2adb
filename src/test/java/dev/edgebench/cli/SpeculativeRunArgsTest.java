package dev.edgebench.cli;

import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.RunPlan;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.Workload;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The speculative workload's options: the grid they sweep, and bad input refused up front with exit code 2. */
class SpeculativeRunArgsTest {
    static void rejected(String expected, String... args) {
        RunCommandTest.rejected(expected, args);
    }

    @Test
    void kAndProfilesAreSwept() {
        RunPlan plan = RunCommandTest.plan("--benchmarks", "speculative", "--model", "Qwen3-8B:Q4_0", "--draft", "Qwen3-0.6B:Q4_0",
                "--draft-tokens", "2,4,8", "--accept-rate", "0.4", "--accept-rate", "0.6", "--accept-rate", "0.8", "--batch", "1,8");
        assertEquals(2 * 3 * 3, plan.benchmarks().size());
        PlannedBenchmark first = plan.benchmarks().getFirst();
        assertEquals(Workload.SPECULATIVE, first.workload());
        assertEquals("Qwen3-0.6B:Q4_0", first.params().get("draft"));
        assertEquals(List.of("2", "4", "8"), plan.paramValues(Workload.SPECULATIVE).get("draftTokens"));
        assertEquals(List.of("0.4", "0.6", "0.8"), plan.paramValues(Workload.SPECULATIVE).get("acceptRate"));
    }

    @Test
    void aPairNamesTargetAndDraftAndSelectsTheWorkload() {
        RunPlan plan = RunCommandTest.plan("--pair", "llama3");
        assertEquals(List.of("Llama-3.1-8B:Q4_0"), plan.options().models());
        assertEquals("Llama-3.2-1B:Q4_0", plan.options().speculative().draft());
        assertEquals(List.of(Workload.SPECULATIVE), plan.options().workloads());
        assertEquals(List.of("none"), plan.paramValues(Workload.SPECULATIVE).get("acceptRate"));
        rejected("--pair llama3 names the target and the draft", "--pair", "llama3", "--model", "Qwen3-8B:Q4_0");
        rejected("unknown pair 'gpt'", "--pair", "gpt");
    }

    @Test
    void badInputIsNamedBeforeAnyWork() {
        rejected("--draft: the speculative benchmark needs a draft model", "--benchmarks", "speculative", "--model",
                "edgebench-tiny:F16");
        rejected("their vocabularies differ (target tokenizer llama-bpe, draft tokenizer qwen2)", "--benchmarks", "speculative",
                "--model", "Llama-3.1-8B:Q4_0", "--draft", "Qwen3-0.6B:Q4_0");
        rejected("--draft-tokens must be positive", "--pair", "tiny-self", "--draft-tokens", "0");
        rejected("exceeds edgebench-tiny", "--pair", "tiny-self", "--prompt", "100", "--gen", "100", "--draft-tokens", "1000000");
        rejected("exceeds the context of 300 (--ctx)", "--pair", "tiny-self", "--prompt", "100", "--gen", "100", "--draft-tokens",
                "200", "--ctx", "300");
        rejected("1.5 is outside [0, 1]", "--pair", "tiny-self", "--accept-rate", "1.5");
        rejected("must not increase", "--pair", "tiny-self", "--draft-tokens", "2", "--accept-rate", "0.5,0.9");
        rejected("fewer than the 4 draft tokens", "--pair", "tiny-self", "--draft-tokens", "4", "--accept-rate", "0.9,0.8");
        rejected("unknown model 'Nope'", "--benchmarks", "speculative", "--model", "edgebench-tiny:F16", "--draft", "Nope:Q4_0");
    }

    @Test
    void aLargerDraftIsOnlyWarnedAbout() {
        RunCommandTest.plan("--benchmarks", "speculative", "--model", "Llama-3.2-1B:Q4_0", "--draft", "Llama-3.1-8B:Q4_0");
        var small = new RunDocument.ModelInfo("Llama-3.2-1B:Q4_0", "a", "0".repeat(64), params(1_235_814_400L));
        var big = new RunDocument.ModelInfo("Llama-3.1-8B:Q4_0", "b", "1".repeat(64), params(8_030_261_248L),
                RunDocument.ModelInfo.DRAFT);
        List<String> w = dev.edgebench.bench.RunPreflight.warnings(List.of(small, big));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.getFirst().contains("the draft Llama-3.1-8B:Q4_0 (8030 M parameters) is larger than the target Llama-3.2-1B:Q4_0"
                + " (1235 M)"), w.getFirst());
        var smallDraft = new RunDocument.ModelInfo("Llama-3.2-1B:Q4_0", "a", "0".repeat(64), params(1_235_814_400L),
                RunDocument.ModelInfo.DRAFT);
        var bigTarget = new RunDocument.ModelInfo("Llama-3.1-8B:Q4_0", "b", "1".repeat(64), params(8_030_261_248L));
        assertTrue(dev.edgebench.bench.RunPreflight.warnings(List.of(bigTarget, smallDraft)).isEmpty());
    }

    private static com.fasterxml.jackson.databind.JsonNode params(long n) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("parameters", n);
    }
}
