package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.run.Workload;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** results/run.schema.json names every workload the run pipeline has, wherever it lists them. */
class RunSchemaVocabularyTest {
    @Test
    void everyWorkloadEnumInTheSchemaIsTheWorkloadVocabulary() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(RunSchema.projectDir().resolve("results/run.schema.json").toFile());
        Set<String> workloads = new TreeSet<>(Arrays.stream(Workload.values()).map(Workload::key).toList());
        List<JsonNode> enums = schema.findParents("benchmark").stream().map(p -> p.get("benchmark").path("enum"))
                .filter(JsonNode::isArray).toList();
        assertFalse(enums.isEmpty(), "the schema lists the workloads somewhere");
        for (JsonNode e : enums) {
            Set<String> listed = new TreeSet<>();
            e.forEach(v -> listed.add(v.asText()));
            assertEquals(workloads, listed, "a benchmark enum of run.schema.json");
        }
    }
}
