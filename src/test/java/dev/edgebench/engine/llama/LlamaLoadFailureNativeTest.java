package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufKv;
import dev.edgebench.model.GgufWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When llama.cpp refuses a model (a NULL handle), its own reason is on the exception's first
 * line: reports that keep one line per failure show why, not only "returned NULL".
 */
@Tag("native")
class LlamaLoadFailureNativeTest {
    @TempDir
    Path tmp;

    @Test
    void anUnknownArchitecture_putsLlamaCppsReasonOnTheFirstLine() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "nosucharch"));
        w.addTensor("token_embd.weight", new long[] {32, 4}, GgmlType.F32,
                (info, out) -> {
                    ByteBuffer zeros = ByteBuffer.allocate((int) info.nBytes());
                    while (zeros.hasRemaining()) {
                        out.write(zeros);
                    }
                });
        Path p = tmp.resolve("nosucharch.gguf");
        w.write(p);
        LlamaException e = assertThrows(LlamaException.class, () -> LlamaModel.load(p, LlamaModel.Params.cpu()));
        String first = e.getMessage().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("llama_model_load_from_file returned NULL (model " + p), first);
        assertTrue(first.contains("unknown model architecture: 'nosucharch'"), first);
    }

    /**
     * llama.cpp's lines pass the native gate (libedgebench_request_llama, built with every engine):
     * the reason above arrived through it, and the debug lines of every decode step do not cross
     * into Java. Run records say so.
     */
    @Test
    void llamaCppsLinesReachJavaThroughTheNativeGate() {
        LlamaRuntime.get();
        assertTrue(NativeLog.route().startsWith("lines at level 3 and above to Java (gate in "), NativeLog.route());
        assertEquals(NativeLog.route(), new LlamaStepEngine().describe().logRoute());
    }

    @Test
    void theBuildFolderIsTheOneWhoseLibrariesLoad() {
        LlamaRuntime rt = LlamaRuntime.get();
        assertEquals(rt.libraries().libDir().getParent(), NativeLibraries.buildDir());
        assertTrue(NativeLibraries.buildDir().startsWith(TestSupport.nativeBuildDir())
                || System.getProperty("edgebench.native.lib") != null, NativeLibraries.buildDir().toString());
    }
}
