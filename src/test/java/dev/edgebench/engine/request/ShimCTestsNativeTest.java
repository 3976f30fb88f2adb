package dev.edgebench.engine.request;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;

import dev.edgebench.TestSupport;
import dev.edgebench.model.ModelForge;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the C tests of the request engines ({@code native/shim/test.sh}: the header as C11 and
 * C++17, the scripted contract, the llama engine on the tiny model) against the CPU build, so
 * that they run wherever the Java native tests run. Needs a C compiler.
 */
@Tag("native")
class ShimCTestsNativeTest {
    @Test
    void theCTestsPass(@TempDir Path cache) {
        Path model = TestSupport.forge(cache, TestSupport.TINY, "F16", ModelForge.DEFAULT_SEED);
        Path script = TestSupport.projectDir().resolve("native/shim/test.sh");
        TestSupport.Result r = TestSupport.run(List.of(script.toString(), TestSupport.nativeBuildDir().resolve("cpu").toString(),
                model.toString()), 300);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("scripted_test: all checks passed") && r.stdout().contains("llama_test: all checks passed"),
                r::toString);
    }
}
