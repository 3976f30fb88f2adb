package dev.edgebench.kernel;

import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inventory against the graph the engine really runs: every compute node of a decode step and
 * of a prompt of several micro-batches, read through the eval callback, must match the
 * inventory's kernels (op, source types and shapes) with the same counts, for every layout, with
 * and without flash attention.
 */
@Tag("native")
class InventoryVsEngineNativeTest {
    @TempDir
    static Path models;

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "qwen2", "qwen3", "phi3", "gemma2"})
    void inventoryMatchesTheEngineGraph(String layout) throws Exception {
        Path file = layout.equals("tiny") ? EngineFixtures.tiny(models) : EngineFixtures.toy(models, layout);
        ModelShape shape = ModelShape.fromGguf(GgufFile.read(file));
        try (LlamaModel model = LlamaModel.load(file, LlamaModel.Params.cpu())) {
            for (boolean flash : new boolean[]{true, false}) {
                AttentionConfig att = new AttentionConfig(flash, GgmlType.F16, GgmlType.F16);
                for (Phase phase : List.of(Phase.decode(2, 100), Phase.prefill(300, 10, 128))) {
                    Map<String, Integer> want = new TreeMap<>();
                    for (OpInventory.Entry e : OpInventory.of(shape, phase, att).entries()) {
                        want.merge(GraphNode.signature(e.spec()), e.count(), Integer::sum);
                    }
                    Map<String, Integer> got = new TreeMap<>();
                    try (EngineStep step = EngineStep.open(model, phase, 2, att, 1, true)) {
                        for (GraphNode n : step.captureNodes()) {
                            got.merge(n.signature(), 1, Integer::sum);
                        }
                    }
                    Set<String> keys = new TreeSet<>(want.keySet());
                    keys.addAll(got.keySet());
                    StringBuilder diff = new StringBuilder();
                    for (String k : keys) {
                        if (!Objects.equals(want.get(k), got.get(k))) {
                            diff.append("\n  ").append(k).append(": inventory ").append(want.get(k)).append(", engine ").append(got.get(k));
                        }
                    }
                    assertTrue(diff.isEmpty(), layout + " " + phase + " " + att + ":" + diff);
                    assertTrue(want.size() > 10, "a real step has more than a handful of distinct kernels");
                }
            }
        }
        if (layout.equals("tiny")) {
            // weight types come from the file: llama.cpp's quantizer made the matrices q4_0
            assertTrue(shape.weightTypes().containsKey("q4_0"), shape.weightTypes().toString());
        }
    }
}
