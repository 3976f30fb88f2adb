package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgebench.run.RunFolder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --pair tiny-self} end to end through a JMH fork: the speculative cell measures, and
 * run.json records the draft beside the target (file, sha256, facts, role draft), so two runs with
 * different drafts are told apart.
 */
@Tag("native")
class SpeculativeRunNativeTest {
    @TempDir
    Path tmp;

    @Test
    void theDraftIsRecordedAndHashedBesideTheTarget() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path runs = tmp.resolve("runs");
        Captured.Result r = Captured.run(a -> Cli.execute(new RunCommand(), a), "--pair", "tiny-self", "--batch", "1",
                "--draft-tokens", "2", "--prompt", "16", "--gen", "64", "--warmup", "2", "--samples", "2", "--threads", "1",
                "--no-telemetry", "--out", runs.toString(), "--run-id", "spec");
        assertEquals(0, r.rc(), r::err);
        RunFolder f = new RunFolder(runs.resolve("spec"));
        JsonNode run = RunFolder.json().readTree(f.runJson().toFile());
        assertEquals("complete", run.path("status").asText(), run::toString);
        JsonNode models = run.path("models");
        assertEquals(2, models.size(), models::toString);
        assertEquals("edgebench-tiny:F16", models.get(0).path("ref").asText().replaceAll("@.*", ""), models::toString);
        assertTrue(!models.get(0).has("role"), models::toString);
        JsonNode draft = models.get(1);
        assertEquals("draft", draft.path("role").asText(), models::toString);
        assertTrue(draft.path("ref").asText().startsWith("edgebench-tiny:Q4_0"), models::toString);
        assertTrue(draft.path("sha256").asText().matches("[0-9a-f]{64}") && !draft.path("sha256").equals(models.get(0).path("sha256")),
                "the draft's own hash: " + models);
        assertTrue(Files.isRegularFile(Path.of(draft.path("path").asText())), models::toString);
        dev.edgebench.results.RunSchema.assertValid(run);
        JsonNode m = run.path("benchmarks").get(0).path("metrics");
        assertEquals(2, m.path("spec.speedup").path("values").size(), m::toString);
        // the cost model from the parts as they ran accounts for the measured speedup (the parts timed alone may not)
        for (int i = 0; i < 2; i++) {
            double measured = m.path("spec.speedup").path("values").get(i).asDouble();
            double predicted = m.path("spec.predicted_speedup").path("values").get(i).asDouble();
            assertTrue(measured > 0 && Math.abs(predicted / measured - 1) < 0.10,
                    "sample " + i + ": predicted " + predicted + ", measured " + measured);
            assertTrue(m.path("spec.predicted_speedup_alone").path("values").get(i).asDouble() > 0, m::toString);
        }
        assertTrue(Files.readString(f.summary()).contains("## Speculative decoding"));
    }
}
