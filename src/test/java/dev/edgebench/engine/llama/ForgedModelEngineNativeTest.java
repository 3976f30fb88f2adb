package dev.edgebench.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.TestSupport;
import dev.edgebench.engine.SessionConfig;
import dev.edgebench.engine.StepSession;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.GgufKv;
import dev.edgebench.model.GgufTensorInfo;
import dev.edgebench.model.GgufWriter;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.ModelForge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A forged model is a real model: the wrappers load and run it, and so does the pinned llama-bench. */
@Tag("native")
class ForgedModelEngineNativeTest {
    @TempDir
    static Path cache;
    private static Path model;
    private static ModelFacts facts;
    private static Catalog.ModelSpec spec;

    @BeforeAll
    static void forge() throws IOException {
        model = TestSupport.forge(cache, TestSupport.TINY, "Q4_K_M", ModelForge.DEFAULT_SEED);
        facts = ModelFacts.of(model);
        spec = Catalog.builtin().model(TestSupport.TINY);
    }

    @Test
    void theWrappersSeeTheCatalogShapes() {
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Params.cpu())) {
            assertEquals(Catalog.builtin().parameterCount(spec), m.nParams());
            assertEquals(facts.tensorBytes(), m.sizeBytes(), "llama_model_size vs the GGUF directory");
            assertEquals(spec.hparam("n_layer"), m.nLayer());
            assertEquals(spec.hparam("n_embd"), m.nEmbd());
            assertEquals(spec.hparam("n_vocab"), m.nVocab());
            assertEquals(spec.hparam("n_ctx_train"), m.nCtxTrain());
            assertTrue(m.description().startsWith("llama ") && m.description().endsWith("Q4_K - Medium"), m.description());
            Map<String, String> meta = m.metadata();
            assertEquals("true", meta.get("edgebench.synthetic"));
            assertEquals(TestSupport.TINY, meta.get("edgebench.catalog_name"));
            assertEquals(facts.kvBytesPerToken(GgmlType.F16), m.kvBytesPerToken(GgmlType.F16, GgmlType.F16));
            int[] hello = m.tokenize("Hello world", true);
            assertEquals(m.bos(), hello[0], "the phi-3 tokenizer adds BOS");
            assertEquals(" Hello", m.tokenToPiece(hello[1]));
        }
    }

    /** Copies a GGUF file, adding metadata entries (tensor data copied byte for byte). */
    static Path withMetadata(Path src, Path dst, List<GgufKv> extra) throws IOException {
        GgufFile g = GgufFile.read(src);
        GgufWriter w = new GgufWriter();
        g.kv().values().forEach(w::put);
        extra.forEach(w::put);
        try (FileChannel in = FileChannel.open(src)) {
            for (GgufTensorInfo t : g.tensors()) {
                w.addTensor(t.name(), t.ne(), t.type(), (info, out) -> {
                    long pos = g.dataOffset() + t.offset();
                    long end = pos + t.nBytes();
                    while (pos < end) {
                        pos += in.transferTo(pos, end - pos, out);
                    }
                });
            }
            w.write(dst);
        }
        return dst;
    }

    @Test
    void metadataValuesLongerThanAnyBufferComeBackWhole(@TempDir Path tmp) throws IOException {
        String template = "{% for message in messages %}".repeat(400); // 11 600 bytes, as long as real chat templates
        Path p = withMetadata(model, tmp.resolve("long-meta.gguf"), List.of(GgufKv.ofString("tokenizer.chat_template", template),
                GgufKv.ofString("test.short", "x")));
        try (LlamaModel m = LlamaModel.load(p, LlamaModel.Params.cpu())) {
            Map<String, String> meta = m.metadata();
            assertEquals(template.length(), meta.get("tokenizer.chat_template").length(), "not cut at a buffer size");
            assertEquals(template, meta.get("tokenizer.chat_template"));
            assertEquals("x", meta.get("test.short"));
            assertEquals(template, m.metaValue("tokenizer.chat_template"));
            assertEquals(null, m.metaValue("test.absent"));
            assertEquals(Catalog.builtin().parameterCount(spec), m.nParams(), "the copy is the same model");
        }
        // a sliding-window cache is smaller than one row per layer and token: not estimated, so never refused
        Path swa = withMetadata(model, tmp.resolve("swa.gguf"), List.of(GgufKv.ofU32("llama.attention.sliding_window", 128)));
        try (LlamaModel m = LlamaModel.load(swa, LlamaModel.Params.cpu())) {
            assertEquals(0, m.kvBytesPerToken(GgmlType.F16, GgmlType.F16));
        }
    }

    @Test
    void aStepSessionPrefillsDecodesAndTruncates() {
        try (LlamaStepEngine engine = new LlamaStepEngine()) {
            SessionConfig c = new SessionConfig(model, 0, 256, 64, 64, 2, 2, "auto", GgmlType.F16, GgmlType.F16, 42);
            try (StepSession s = engine.open(c, true)) {
                assertEquals(2, s.nSeq());
                // one KV stream per sequence (llama.cpp's default): 256 / 2 = 128, padded by llama.cpp to 256 each
                assertEquals(256, s.nCtxPerSeq());
                s.prefill(100); // two decode calls: the batch holds 64 tokens
                for (int i = 0; i < 4; i++) {
                    s.decodeStep();
                }
                assertEquals(104, s.position());
                LlamaContext ctx = ((LlamaStepSession) s).context();
                assertEquals(103, ctx.maxPosition(0));
                assertEquals(103, ctx.maxPosition(1));
                s.truncate(50);
                assertEquals(49, ctx.maxPosition(1));
                s.decodeStep();
                assertEquals(51, s.position());
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> s.prefill(250));
                assertTrue(e.getMessage().contains("exceeds the 256 context tokens per sequence"), e.getMessage());
            }
            dev.edgebench.engine.EngineInfo d = engine.describe();
            assertEquals("cpu", d.profile());
            assertEquals("v0.5.0", d.build().path("engine").path("release").asText(), d::toString);
        }
    }

    /**
     * warmup() also runs the Java side of the prefill without the engine until it is compiled; that
     * must not shift the seeded prompt stream: after it, a prefill feeds the tokens it would feed
     * after the engine warm-up alone, so the logits match bit for bit.
     */
    @Test
    void compilingTheJavaPathLeavesThePromptStreamAlone() {
        try (LlamaStepEngine engine = new LlamaStepEngine()) {
            SessionConfig c = new SessionConfig(model, 0, 256, 64, 64, 2, 2, "auto", GgmlType.F16, GgmlType.F16, 42);
            float[][] warmed;
            float[][] plain;
            try (StepSession s = engine.open(c, false)) {
                s.warmup();
                s.prefill(100); // 2 x 99 body tokens in 64-token batches, then both last tokens
                warmed = lastLogits((LlamaStepSession) s);
            }
            try (StepSession s = engine.open(c, false)) {
                // what warmup() does on the engine, and nothing else
                s.prefill(32);
                s.decodeStep();
                s.truncate(0);
                s.prefill(100);
                plain = lastLogits((LlamaStepSession) s);
            }
            for (int seq = 0; seq < 2; seq++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(plain[seq], warmed[seq], "logits of sequence " + seq);
            }
        }
    }

    /** Logits of the last batch's two outputs (one per sequence; llama.cpp counts -1 as the last). */
    private static float[][] lastLogits(LlamaStepSession s) {
        LlamaContext ctx = s.context();
        return new float[][]{ctx.logits(-2).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT),
                ctx.logits(-1).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT)};
    }

    @Test
    void llamaBenchLoadsAndRunsTheForgedModel() throws IOException {
        Path tool = TestSupport.cpuTool("llama-bench");
        assertTrue(Files.isExecutable(tool), tool + " (make native)");
        TestSupport.Result r = TestSupport.run(List.of(tool.toString(), "-m", model.toString(), "-p", "16", "-n", "4", "-r", "1",
                "-t", "2", "-o", "json"), 120);
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode results = new ObjectMapper().readTree(r.stdout());
        assertEquals(2, results.size(), r.stdout());
        JsonNode pp = results.get(0);
        JsonNode tg = results.get(1);
        assertEquals(16, pp.path("n_prompt").asInt());
        assertEquals(0, pp.path("n_gen").asInt());
        assertEquals(0, tg.path("n_prompt").asInt());
        assertEquals(4, tg.path("n_gen").asInt());
        for (JsonNode t : results) {
            assertEquals(model.toString(), t.path("model_filename").asText());
            assertEquals(facts.parameters(), t.path("model_n_params").asLong(), "parameters as llama.cpp counts them");
            assertEquals(facts.tensorBytes(), t.path("model_size").asLong(), "tensor bytes as llama.cpp counts them");
            assertTrue(t.path("model_type").asText().contains("Q4_K - Medium"), t.path("model_type").asText());
            assertEquals(1, t.path("samples_ns").size());
            assertTrue(t.path("avg_ts").asDouble() > 0, t.toString());
            assertTrue(t.path("avg_ns").asLong() > 0, t.toString());
        }
        JsonNode manifest = new ObjectMapper().readTree(TestSupport.nativeBuildDir().resolve("cpu/manifest.json").toFile());
        assertTrue(manifest.path("engine").path("gitCommit").asText().startsWith(pp.path("build_commit").asText()),
                "llama-bench is the pinned build: " + pp.path("build_commit"));
    }
}
