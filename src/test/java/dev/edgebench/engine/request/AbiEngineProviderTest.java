package dev.edgebench.engine.request;

import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.engine.StreamingEngineProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request-ABI provider is found by ServiceLoader and refuses unusable TensorRT-LLM engine directories by name. */
class AbiEngineProviderTest {
    @TempDir
    Path tmp;

    private static final StreamingEngineOptions OPTIONS = new StreamingEngineOptions("m", null, 4, 256, 512, 1, 0, "auto", "f16");

    @Test
    void foundForItsSpecifications() {
        assertInstanceOf(AbiEngineProvider.class, StreamingEngineProvider.forSpec("llama-batched"));
        assertInstanceOf(AbiEngineProvider.class, StreamingEngineProvider.forSpec("trtllm:/engines/x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamingEngineProvider.forSpec("nope"));
        assertTrue(e.getMessage().contains("llama-batched") && e.getMessage().contains("trtllm:<engine dir>"), e.getMessage());
    }

    @Test
    void badEngineDirectoriesAreNamed() throws Exception {
        AbiEngineProvider p = new AbiEngineProvider();
        Path missing = tmp.resolve("missing");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.open("trtllm:" + missing, OPTIONS)).getMessage()
                .contains(missing + " does not exist"));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.open("trtllm:" + file, OPTIONS)).getMessage()
                .contains("is not a directory"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        String m = assertThrows(IllegalArgumentException.class, () -> p.open("trtllm:" + empty, OPTIONS)).getMessage();
        assertTrue(m.contains("is not a TensorRT-LLM engine") && m.contains("no config.json and no *.engine file"), m);
        Files.writeString(empty.resolve("config.json"), "{}");
        m = assertThrows(IllegalArgumentException.class, () -> p.open("trtllm:" + empty, OPTIONS)).getMessage();
        assertTrue(m.contains("no *.engine file") && !m.contains("config.json and"), m);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.open("trtllm:", OPTIONS)).getMessage()
                .contains("needs an engine directory"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.open("llama-batched", OPTIONS)).getMessage()
                .contains("needs a GGUF model file"));
    }

    @Test
    void llamaConfigurationHoldsOneSlotPerRequestInFlight() {
        RequestEngineConfig c = AbiEngineProvider.llamaConfig(new StreamingEngineOptions("m", Path.of("m.gguf"), 4, 256, 128, 2, 0,
                "on", "q8_0"));
        assertEquals(4, c.nSeqMax());
        assertEquals(1024, c.nCtx());
        assertEquals(128, c.nUbatch());
        assertEquals(1, c.flashAttn());
        assertEquals(8, c.typeK(), "q8_0 is ggml type 8");
        assertEquals(c.typeK(), c.typeV());
    }
}
