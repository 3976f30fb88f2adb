package dev.edgebench.cli;

import dev.edgebench.kernel.TboComparison;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison with test-backend-ops: the like-for-like column first and against the 5% bar, the steady state beside it. */
class KernelPrinterTest {
    // a small GPU mat-vec as seen on an H200: steady 0.75 of test-backend-ops, its own protocol 0.98
    static final TboComparison.Row GPU = new TboComparison.Row("MUL_MAT q8_0[1536x1536] f32[1536x1]", null, null,
            new double[]{7.5, 7.5, 7.5}, new double[]{10, 10, 10}, new double[]{0.75, 0.75, 0.75}, 0.75,
            new double[]{9.8, 9.7, 9.9}, new double[]{0.98, 0.97, 0.99}, 0.98, 100);
    static final TboComparison.Row GPU_OUT = new TboComparison.Row("MUL_MAT q4_0[2048x256] f32[2048x1]", null, null,
            new double[]{7, 7}, new double[]{10, 10}, new double[]{0.7, 0.7}, 0.7, new double[]{9, 9}, new double[]{0.9, 0.9}, 0.9, 100);

    private static String print(boolean gpu, List<TboComparison.Row> rows) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        KernelPrinter p = new KernelPrinter(new PrintStream(b, true, StandardCharsets.UTF_8));
        p.started("test-backend-ops", gpu ? "CUDA0" : "CPU", 3, gpu, 1);
        rows.forEach(p::row);
        p.finished(rows);
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onAGpuTheBarIsStatedAgainstTestBackendOpsProtocol() {
        assertEquals(0.98, GPU.likeForLikeRatio());
        assertTrue(GPU.withinBar(), "0.98 is within 5% though the steady ratio 0.75 is not");
        assertFalse(GPU_OUT.withinBar());
        String out = print(true, List.of(GPU, GPU_OUT));
        String row = out.lines().filter(l -> l.endsWith(GPU.kernel())).findFirst().orElseThrow();
        // eb-tbo-p, tbo, ratio, range, bar, steady, steady/tbo
        assertTrue(row.matches("\\s+9\\.80\\s+10\\.00\\s+0\\.980\\s+0\\.970-0\\.990\\s+ok\\s+7\\.50\\s+0\\.750\\s+MUL_MAT.*"), row);
        assertTrue(out.lines().anyMatch(l -> l.endsWith(GPU_OUT.kernel()) && l.contains(" OUT ")), out);
        assertTrue(out.contains("(1 of 2 kernels)"), out);
        assertEquals(1, out.lines().filter(l -> l.contains("eb-tbo-p is like for like")).count(), out);
    }

    @Test
    void onACpuTheOnlyColumnIsLikeForLike() {
        TboComparison.Row cpu = new TboComparison.Row("MUL_MAT q4_0[2048x2048] f32[2048x1]", null, null, new double[]{100, 101},
                new double[]{98, 99}, new double[]{1.02, 1.02}, 1.02, null, null, null, 1);
        assertEquals(1.02, cpu.likeForLikeRatio());
        String out = print(false, List.of(cpu));
        assertTrue(out.contains("5%: the like-for-like median ratio within 5% of 1 (1 of 1 kernels)"), out);
        assertFalse(out.contains("eb-tbo-p"), out);
    }
}
