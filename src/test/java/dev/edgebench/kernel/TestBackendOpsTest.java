package dev.edgebench.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading test-backend-ops' SQL output and sizing its runs, without running it. */
class TestBackendOpsTest {
    /** Two rows as the pinned test-backend-ops perf --output sql prints them (a perf result, an unsupported op). */
    private static final String SQL = """
            CREATE TABLE IF NOT EXISTS test_backend_ops (
              test_time TEXT,
              time_us REAL
            );
            INSERT INTO test_backend_ops (test_time, build_commit, backend_name, op_name, op_params, test_mode, supported, passed, \
            error_message, time_us, flops, bandwidth_gb_s, memory_kb, n_runs, device_description, backend_reg_name) VALUES \
            ('2026-11-22T02:15:30Z', 'de3ff81', 'CPU', 'MUL_MAT', 'name=attn_q,type=f32,ne=[2048,1,1,1],op_params=[],\
            sources=q4_0[2048,2048,1,1],f32[2048,1,1,1]', 'perf', '1', '1', '', '185.544110', '0.000000', '11.924520', '2320', \
            '7232', '', '');
            """;

    @Test
    void readsThePerfRow() {
        TestBackendOps.Result r = TestBackendOps.parse(SQL);
        assertNotNull(r);
        assertTrue(r.supported());
        assertEquals(185.544110, r.usPerRun(), 1e-9);
        assertEquals(7232, r.runs());
        assertTrue(r.opParams().contains("q4_0[2048,2048,1,1]"), r.opParams());
    }

    @Test
    void readsAnUnsupportedRow() {
        String sql = "INSERT INTO test_backend_ops (test_time, backend_name, op_name, op_params, test_mode, supported, passed,"
                + " error_message, time_us, flops, bandwidth_gb_s, memory_kb, n_runs) VALUES ('t', 'CPU', 'MUL_MAT', 'x,y', 'perf',"
                + " '0', '0', 'not supported', '0', '0', '0', '0', '0');";
        TestBackendOps.Result r = TestBackendOps.parse(sql);
        assertNotNull(r);
        assertFalse(r.supported());
        assertEquals("not supported", r.error());
        assertNull(TestBackendOps.parse("Testing 1 devices\nBackend 1/1: CPU\n  Skipping\n"));
    }

    @Test
    void runCountIsTestBackendOpsMemoryRule() {
        // a generic op has no FLOP count: min(8192 - 1, 8 GiB / op bytes) + 1, the 2048x2048 q4_0 product 3616 (seen in its output)
        assertEquals(3616, TestBackendOps.copies(KernelSpec.parse("MUL_MAT q4_0[2048x2048] f32[2048x1]"), true));
        assertEquals(8192, TestBackendOps.copies(KernelSpec.parse("RMS_NORM f32[2048x1] eps=0.00001"), true));
        assertNull(TestBackendOps.unsupported(KernelSpec.parse("MUL_MAT q4_0[2048x2048] f32[2048x1]")));
        assertNotNull(TestBackendOps.unsupported(KernelSpec.parse("SWIGLU f32[16384x1]")));
    }
}
