package dev.edgebench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgebench.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel's JMH score is one graph run of {@code copies} ops, and copies comes from a sizing rule
 * of edgebench's (the op's work and the backend, as test-backend-ops sizes its graphs; fewer where
 * the graph has no room), which a version may change: the time per op ({@code kernel.us_per_op})
 * is the kernel's figure, for compare and for the history, so a baseline made with other graph
 * sizes still compares.
 */
class KernelResultsTest {
    @Test
    void aRunThatSizedItsGraphsDifferentlyIsNotAChange(@TempDir Path tmp) throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/dev/edgebench/history/kernels-tiny/kernels-jmh.json")) {
            doc = RunFolder.json().readTree(in);
        }
        Path base = tmp.resolve("base.json");
        Files.writeString(base, doc.toString());
        // the same measurements, graphs of twice the ops: every primary score doubles, the time per op stays
        ArrayNode doubled = (ArrayNode) doc.deepCopy();
        for (JsonNode b : doubled) {
            ObjectNode pm = (ObjectNode) b.get("primaryMetric");
            pm.put("score", pm.path("score").asDouble() * 2);
            ArrayNode forks = (ArrayNode) pm.get("rawData");
            for (JsonNode fork : forks) {
                ArrayNode f = (ArrayNode) fork;
                for (int i = 0; i < f.size(); i++) {
                    f.set(i, f.get(i).asDouble() * 2);
                }
            }
        }
        Path cur = tmp.resolve("cur.json");
        Files.writeString(cur, doubled.toString());
        ResultSet rb = ResultLoader.load(base);
        ResultSet rc = ResultLoader.load(cur);
        for (ResultSet.Bench b : rb.benchmarks().values()) {
            assertEquals("kernel.us_per_op", b.primary(), b.id());
        }
        Comparison c = Comparer.compare(rb, rc, CompareConfig.Suite.DEFAULT, 1000, 1);
        assertTrue(c.metrics().size() >= rb.benchmarks().size(), "one judged metric per kernel");
        for (Comparison.MetricResult m : c.metrics()) {
            assertEquals("kernel.us_per_op", m.metric(), m.id());
            assertNotEquals(Verdict.SLOWER, m.verdict(), () -> m.id() + ": the same time per op read as slower");
            assertEquals(1.0, m.ratio().estimate(), 1e-9, m.id());
        }
    }
}
