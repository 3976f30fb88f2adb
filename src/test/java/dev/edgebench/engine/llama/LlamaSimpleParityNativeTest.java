package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.ModelForge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy decoding through the wrappers produces exactly the text that the pinned
 * {@code llama-simple} (examples/simple/simple.cpp) prints for the same model and prompt: the Java
 * path adds nothing and loses nothing.
 */
@Tag("native")
class LlamaSimpleParityNativeTest {
    private static final String PROMPT = "The quick brown fox jumps over";
    private static final int N_PREDICT = 16;
    /** llama.h's default thread count ({@code GGML_DEFAULT_N_THREADS}), which llama-simple keeps. */
    private static final int DEFAULT_THREADS = 4;

    @TempDir
    static Path cache;
    private static Path model;

    @BeforeAll
    static void forge() {
        model = TestSupport.forge(cache, TestSupport.TINY, "Q4_0", ModelForge.DEFAULT_SEED);
    }

    /** What llama-simple prints on stdout: every prompt piece, every generated piece, a newline. */
    private static byte[] generateLikeLlamaSimple(List<Integer> generated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // llama-simple: model defaults with n_gpu_layers 99
        try (LlamaModel m = LlamaModel.load(model, new LlamaModel.Params(99, 0, true, false))) {
            int[] prompt = m.tokenize(PROMPT, true);
            for (int t : prompt) {
                out.writeBytes(m.tokenBytes(t));
            }
            // n_ctx = n_prompt + n_predict - 1, n_batch = n_prompt, everything else llama_context_default_params()
            LlamaContextParams p = new LlamaContextParams(prompt.length + N_PREDICT - 1, prompt.length, prompt.length, 1,
                    DEFAULT_THREADS, DEFAULT_THREADS, LlamaContext.FlashAttn.AUTO, GgmlType.F16, GgmlType.F16, true, false, 50, null);
            try (LlamaContext ctx = m.newContext(p); LlamaBatch batch = new LlamaBatch(prompt.length, 1)) {
                for (int i = 0; i < prompt.length; i++) {
                    batch.add(prompt[i], i, 0, i == prompt.length - 1);
                }
                int pos = prompt.length;
                for (int n = 0; n < N_PREDICT; n++) {
                    ctx.decode(batch);
                    int token = ctx.sampleGreedy(-1);
                    if (m.isEndOfGeneration(token)) {
                        break;
                    }
                    generated.add(token);
                    out.writeBytes(m.tokenBytes(token));
                    batch.clear();
                    batch.add(token, pos++, 0, true);
                }
            }
        }
        out.write('\n');
        return out.toByteArray();
    }

    @Test
    void greedyTokensEqualLlamaSimple() {
        Path tool = TestSupport.cpuTool("llama-simple");
        assertTrue(Files.isExecutable(tool), tool + " (make native)");
        List<Integer> generated = new ArrayList<>();
        byte[] java = generateLikeLlamaSimple(generated);
        assertEquals(N_PREDICT, generated.size(), "16 tokens before any end-of-generation token: " + generated);

        TestSupport.Result r = TestSupport.run(List.of(tool.toString(), "-m", model.toString(), "-n", Integer.toString(N_PREDICT),
                PROMPT), 60);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(new String(java, StandardCharsets.UTF_8), r.stdout(), "llama-simple vs the wrappers; generated ids " + generated);
        assertTrue(r.stdout().startsWith("<s> " + PROMPT), r.stdout());

        // a second run in the same JVM gives the same tokens (no state leaks between contexts)
        List<Integer> again = new ArrayList<>();
        generateLikeLlamaSimple(again);
        assertEquals(generated, again);
    }

    @Test
    void tokenBytesKeepCharactersThatSpanSeveralTokens() {
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu())) {
            String llama = "\uD83E\uDD99"; // not in the phi-3 vocabulary: byte-fallback tokens, one per UTF-8 byte
            int[] tokens = m.tokenize(llama, false);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            boolean partial = false;
            for (int t : tokens) {
                joined.writeBytes(m.tokenBytes(t));
                partial |= m.tokenToPiece(t).equals("\uFFFD");
            }
            assertTrue(new String(joined.toByteArray(), StandardCharsets.UTF_8).endsWith(llama), joined.toString(StandardCharsets.UTF_8));
            assertTrue(partial, "a single byte of a 4-byte character is no text on its own");
            assertTrue(tokens.length >= 4, "byte fallback: " + java.util.Arrays.toString(tokens));
        }
    }
}
