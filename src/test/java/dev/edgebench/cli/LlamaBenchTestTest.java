package dev.edgebench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** llama-bench's JSON as parity reads it: rates from samples_ns, with and without the first repetition; the build commit. */
class LlamaBenchTestTest {
    // the shape of llama-bench -o json (fields parity does not read left out); pp512 with a slow first repetition
    static final String JSON = """
            [
              {"build_commit": "unknown", "n_prompt": 512, "n_gen": 0, "avg_ts": 45000.0,
               "samples_ns": [ 20000000, 10000000, 10000000, 10240000 ]},
              {"build_commit": "unknown", "n_prompt": 0, "n_gen": 128, "avg_ts": 900.0,
               "samples_ns": [ 128000000, 160000000 ]}
            ]""";

    @Test
    void ratesComeFromSamplesNsWithAndWithoutTheFirstRepetition() throws Exception {
        List<LlamaBenchTest> t = LlamaBenchTest.parse(new ObjectMapper().readTree(JSON));
        assertEquals(2, t.size());
        LlamaBenchTest pp = t.get(0);
        assertEquals(512, pp.nPrompt());
        assertArrayEquals(new double[]{25_600, 51_200, 51_200, 50_000}, pp.samplesTokS(), 1e-9);
        assertEquals((25_600 + 51_200 + 51_200 + 50_000) / 4.0, pp.meanTokS(), 1e-9);
        assertEquals((51_200 + 51_200 + 50_000) / 3.0, pp.meanWithoutFirstTokS(), 1e-9);
        assertEquals(25_600 / ((51_200 + 51_200 + 50_000) / 3.0), pp.firstRelative(), 1e-12);
        assertEquals(50_600, pp.medianTokS(), 1e-9);
        LlamaBenchTest tg = t.get(1);
        assertEquals(128, tg.nGen());
        assertEquals(800, tg.meanWithoutFirstTokS(), 1e-9);
        assertEquals("unknown", tg.buildCommit());
    }

    @Test
    void oneRepetitionHasNoFigureWithoutTheFirst() throws Exception {
        LlamaBenchTest t = LlamaBenchTest.parse(new ObjectMapper().readTree("[{\"n_prompt\": 8, \"n_gen\": 0, \"samples_ns\": [1000]}]"))
                .get(0);
        assertEquals(Double.NaN, t.meanWithoutFirstTokS());
        assertEquals(8e6, t.meanTokS(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> LlamaBenchTest.parse(new ObjectMapper().readTree("{}")));
    }

    @Test
    void anUnknownCommitIsTakenFromTheBuildManifest(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("manifest.json");
        Files.writeString(m, "{\"engine\": {\"gitCommit\": \"de3ff815ea7d559ee917f063901b8986f038abc6\"}}");
        String[] c = ParityCommand.buildCommit("unknown", m);
        assertEquals("de3ff815ea7d559ee917f063901b8986f038abc6", c[0]);
        assertEquals("build manifest (llama-bench says unknown)", c[1]);
        // llama-bench built inside another checkout reports that checkout's commit: the manifest names the source
        assertArrayEquals(new String[]{"de3ff815ea7d559ee917f063901b8986f038abc6", "build manifest (llama-bench says abc1234)"},
                ParityCommand.buildCommit("abc1234", m));
        assertEquals("build manifest (llama-bench agrees)", ParityCommand.buildCommit("de3ff81", m)[1]);
        assertArrayEquals(new String[]{"abc1234", "llama-bench (no build manifest)"}, ParityCommand.buildCommit("abc1234", null));
        assertEquals("unknown", ParityCommand.buildCommit("unknown", null)[0]);
        assertEquals("unknown", ParityCommand.buildCommit("unknown", dir.resolve("absent.json"))[0]);
    }
}
