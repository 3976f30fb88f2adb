package dev.edgebench.model;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizer.json the forge writes (forge --hf) tokenizes like llama.cpp: for llama.cpp's own BPE
 * vocabulary test files (llama-bpe, qwen2), Hugging Face's tokenizer implementation (tokenizers.js,
 * installed from npm by scripts/check-hf-tokenizer.sh) loads the written file and gives, for every test
 * string beside the vocabulary, the ids llama.cpp's test expects. Needs npm (which the CI lint already
 * needs); without it the test says so and is skipped.
 */
class HfTokenizerAgainstLlamaCppTest {
    @TempDir
    Path tmp;

    @Test
    void llamaBpeAndQwen2TokenizeAsLlamaCppExpects() throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("npm") && onPath("node"), "npm and node are not installed: tokenizers.js cannot be fetched");
        for (String vocab : new String[] {"llama-bpe", "qwen2"}) {
            Path gguf = TestSupport.vocabDir().resolve("ggml-vocab-" + vocab + ".gguf");
            Path dir = Files.createDirectories(tmp.resolve(vocab));
            String wrote = HfCheckpoint.writeTokenizer(GgufFile.read(gguf), 2048, dir);
            assertTrue(wrote.startsWith("BPE, pre-tokenizer " + vocab), wrote);
            Process p = new ProcessBuilder("bash", TestSupport.projectDir().resolve("scripts/check-hf-tokenizer.sh").toString(),
                    dir.toString(), gguf + ".inp", gguf + ".out").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "check-hf-tokenizer finished");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.matches("(?s).*check-hf-tokenizer: (\\d+) of \\1 strings tokenized alike.*"), out);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
