package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.TestSupport;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufKv;
import dev.edgebench.model.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code facts} and {@code forge} commands on files and names that need no engine. */
class ModelCommandsTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;
    private String savedModels;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        savedModels = System.getProperty("edgebench.models");
        System.setProperty("edgebench.models", tmp.resolve("models").toString());
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
        if (savedModels == null) {
            System.clearProperty("edgebench.models");
        } else {
            System.setProperty("edgebench.models", savedModels);
        }
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path smallModel() throws Exception {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "llama"));
        w.put(GgufKv.ofU32("llama.block_count", 1));
        w.put(GgufKv.ofU32("llama.embedding_length", 32));
        w.put(GgufKv.ofU32("llama.attention.head_count", 2));
        w.put(GgufKv.ofU32("general.file_type", 1));
        w.addTensor("token_embd.weight", new long[] {32, 10}, GgmlType.F16,
                (info, ch) -> {
                    ByteBuffer zeros = ByteBuffer.allocate((int) info.nBytes());
                    while (zeros.hasRemaining()) {
                        ch.write(zeros);
                    }
                });
        Path p = tmp.resolve("small.gguf");
        w.write(p);
        return p;
    }

    @Test
    void factsOfAValidFilePrintJson() throws Exception {
        Path p = smallModel();
        assertEquals(0, Cli.execute(new FactsCommand(), p.toString()), stderr());
        JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("llama", j.path("architecture").asText());
        assertEquals(320, j.path("parameters").asLong());
        assertEquals("F16", j.path("fileType").asText());
        assertEquals(10, j.path("nVocab").asLong(), "from the embedding when vocab_size is absent");
    }

    @Test
    void factsOfCorruptOrMissingFilesExitWithTwoAndSayWhy() throws Exception {
        byte[] good = Files.readAllBytes(smallModel());
        Path truncated = Files.write(tmp.resolve("truncated.gguf"), Arrays.copyOf(good, good.length / 2));
        Path garbage = Files.write(tmp.resolve("garbage.gguf"), "this is not a model at all".getBytes(StandardCharsets.UTF_8));
        Path dir = Files.createDirectory(tmp.resolve("dir.gguf"));
        Path missing = tmp.resolve("missing.gguf");
        String[][] cases = {
                {truncated.toString(), "facts: " + truncated + ": truncated"},
                {garbage.toString(), "facts: " + garbage + ": not a GGUF file (magic 0x73696874)"},
                {dir.toString(), "facts: a directory, not a GGUF file: " + dir},
                {missing.toString(), "facts: model file not found: " + missing},
                {"NoSuchModel:Q4_0", "facts: unknown model 'NoSuchModel'"},
                {"edgebench-tiny:Q9", "facts: unknown model type 'Q9'"},
        };
        for (String[] c : cases) {
            err.reset();
            assertEquals(2, Cli.execute(new FactsCommand(), c[0]), c[0]);
            assertTrue(stderr().startsWith(c[1]), c[0] + " -> " + stderr());
        }
        err.reset();
        assertEquals(2, Cli.execute(new FactsCommand()));
        assertTrue(stderr().startsWith("facts: Missing required parameter: 'MODEL'"), stderr());
        assertEquals(java.util.List.of(), TestSupport.filesUnder(tmp.resolve("models")), "nothing forged");
    }

    @Test
    void forgeOfUnknownNamesOrTypesExitsWithTwo() {
        assertEquals(2, Cli.execute(new ForgeCommand(), "edgebench-tiny:Q9_9"));
        assertTrue(stderr().startsWith("forge: unknown model type 'Q9_9'"), stderr());
        err.reset();
        assertEquals(2, Cli.execute(new ForgeCommand(), "Llama-9-1T:Q4_0"));
        assertTrue(stderr().startsWith("forge: unknown model 'Llama-9-1T'"), stderr());
        err.reset();
        assertEquals(2, Cli.execute(new ForgeCommand(), "edgebench-tiny:Q4_0@x"));
        assertTrue(stderr().startsWith("forge: bad seed in model 'edgebench-tiny:Q4_0@x': x"), stderr());
        assertEquals(java.util.List.of(), TestSupport.filesUnder(tmp.resolve("models")));
    }

    @Test
    void forgeHfRefusesQuantizedTypesAndOtherArchitecturesBeforeForgingAnything() throws Exception {
        Path hf = tmp.resolve("hf");
        assertEquals(2, Cli.execute(new ForgeCommand(), "--hf", hf.toString(), "edgebench-tiny:F16", "edgebench-tiny:Q4_0"));
        assertTrue(stderr().startsWith("forge: --hf writes unquantized weights: edgebench-tiny:Q4_0 is Q4_0; give edgebench-tiny:F16"),
                stderr());
        err.reset();
        assertEquals(2, Cli.execute(new ForgeCommand(), "--hf", hf.toString(), "Phi-3.5-mini"));
        assertTrue(stderr().startsWith("forge: --hf: Phi-3.5-mini is a phi3 model; checkpoints are written for llama, qwen2 and qwen3"),
                stderr());
        assertEquals(java.util.List.of(), TestSupport.filesUnder(tmp.resolve("models")), "nothing forged");
        assertTrue(!Files.exists(hf), "nothing written");
        // a name without a type is the F16 forge, exported
        err.reset();
        assertEquals(0, Cli.execute(new ForgeCommand(), "--hf", hf.toString(), "edgebench-tiny@7"), stderr());
        assertTrue(Files.isRegularFile(hf.resolve("edgebench-tiny-seed7").resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(hf.resolve("edgebench-tiny-seed7").resolve("config.json")));
    }

    @Test
    void forgeNeedsAModelOrCleanAndRefusesFiles() throws Exception {
        assertEquals(2, Cli.execute(new ForgeCommand()));
        assertTrue(stderr().startsWith("forge: name at least one model"), stderr());
        err.reset();
        Path p = smallModel();
        assertEquals(2, Cli.execute(new ForgeCommand(), p.toString()));
        assertTrue(stderr().startsWith("forge: " + p + " is a file, not a catalog model"), stderr());
    }

    @Test
    void forgeCleanRemovesWhatInterruptedForgesLeft() throws Exception {
        Path models = tmp.resolve("models");
        Path dir = Files.createDirectories(models.resolve("edgebench-tiny"));
        Path complete = Files.write(dir.resolve("edgebench-tiny-Q4_0-seed1-v1.gguf"), new byte[8]);
        Path base = Files.write(dir.resolve("edgebench-tiny-Q4_0-seed2-v1.gguf.f16-base"), new byte[3 << 20]);
        Path lock = Files.write(dir.resolve(".edgebench-tiny-Q4_0-seed2-v1.gguf.lock"), new byte[0]);
        assertEquals(0, Cli.execute(new ForgeCommand(), "--clean"), stderr());
        assertTrue(Files.exists(complete));
        assertTrue(!Files.exists(base) && !Files.exists(lock));
        assertTrue(stderr().contains("forge: removed " + base + "\n"), stderr());
        assertTrue(stderr().contains("forge: --clean removed 2 file(s), 3.0 MiB, from " + models), stderr());
        err.reset();
        assertEquals(0, Cli.execute(new ForgeCommand(), "--clean"), stderr());
        assertTrue(stderr().contains("forge: --clean removed 0 file(s), 0.0 MiB"), stderr());
    }

    @Test
    void catalogListsTheModels() {
        assertEquals(0, Cli.execute(new CatalogCommand()), stderr());
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.startsWith("name "), o);
        assertTrue(o.contains("Llama-3.2-1B"), o);
        assertTrue(o.contains("edgebench-tiny"), o);
        assertEquals(2, Cli.execute(new CatalogCommand(), "extra"));
        assertTrue(stderr().startsWith("catalog: Unmatched argument"), stderr());
    }

    @Test
    void theJarsMainExitsWithTwoOnACorruptModel() throws Exception {
        Path garbage = Files.write(tmp.resolve("garbage.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        TestSupport.Result r = TestSupport.run(TestSupport.javaCommand("dev.edgebench.cli.Main", "facts", garbage.toString()), 60);
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("facts: " + garbage + ": truncated header (at byte 9 of 9)\n", r.stderr(), r::toString);
        assertEquals("", r.stdout());
    }
}
