package dev.edgebench.kernel;

import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.model.GgufFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real step's time and its node-by-node profile, on edgebench-tiny. */
@Tag("native")
class StepProfileNativeTest {
    @TempDir
    Path models;

    @Test
    void profileCoversEveryKernelOfTheInventory() throws Exception {
        Path file = EngineFixtures.tiny(models);
        Phase phase = Phase.decode(1, 64);
        AttentionConfig att = AttentionConfig.llamaCppDefault();
        OpInventory inv = OpInventory.of(ModelShape.fromGguf(GgufFile.read(file)), phase, att);
        try (LlamaModel m = LlamaModel.load(file, LlamaModel.Params.cpu())) {
            StepProfile p = StepProfile.measure(m, phase, 1, att, 2, 5, 2, 1);
            assertEquals(5, p.stepMs().length);
            assertTrue(p.medianStepMs() > 0, "step time");
            int nodes = 0;
            for (StepProfile.OpTime o : p.ops()) {
                nodes += o.nodesPerStep();
                assertTrue(o.usPerStep() > 0, o.toString());
            }
            assertEquals(inv.totalRuns(), nodes, "one timed node per kernel run");
            for (OpInventory.Entry e : inv.entries()) {
                StepProfile.OpTime o = p.find(e.spec());
                assertNotNull(o, "no node of " + e.spec());
                assertEquals(e.count(), o.nodesPerStep(), e.spec().toString());
            }
            assertTrue(p.nodeSumMs() > 0 && p.profiledStepMs() >= p.nodeSumMs(), "nodes run inside the profiled step");
            StepProfile plain = StepProfile.measure(m, phase, 1, att, 1, 2, 0, 1);
            assertTrue(plain.ops().isEmpty());
            assertTrue(Double.isNaN(plain.profileOverheadMs()));
        }
        assertThrows(IllegalArgumentException.class, () -> StepProfile.measure(null, phase, 1, att, 0, 0, 0, 1));
    }
}
