package dev.edgebench.kernel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pinned test-backend-ops runs a kernel of the inventory as a generic op. */
@Tag("native")
class TestBackendOpsNativeTest {
    @Test
    void runsAnInventoryKernelWithTheSameRunCount() throws Exception {
        KernelSpec spec = KernelSpec.parse("MUL_MAT q4_0[256x512] f32[256x1]");
        TestBackendOps tbo = new TestBackendOps(TestBackendOps.pinnedBinary());
        TestBackendOps.Result r = tbo.run(spec, "CPU", 120);
        assertTrue(r.supported(), r.error());
        assertTrue(r.usPerRun() > 0, r.toString());
        assertTrue(r.opParams().contains("q4_0[256,512,1,1]"), r.opParams());
        // it times whole graphs of copies(spec) runs: the total is a multiple
        assertEquals(0, r.runs() % TestBackendOps.copies(spec, true), r.runs() + " runs");
    }
}
