package dev.edgebench.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EngineIterationsTest {
    @Test
    void countersAreReadAndDifferenced() {
        EngineIterations a = EngineIterations.parse("{\"backend\":\"llama\",\"iterations\":10,\"decodeNsTotal\":5000,"
                + "\"sampleNsTotal\":700,\"tokensTotal\":80,\"recent\":[]}");
        EngineIterations b = EngineIterations.parse("{\"backend\":\"llama\",\"iterations\":25,\"decodeNsTotal\":12000,"
                + "\"sampleNsTotal\":1000,\"tokensTotal\":200,\"recent\":[{\"iter\":11}]}");
        assertEquals(new EngineIterations(10, 80, 5000, 700, -1, 0), a);
        assertEquals(new EngineIterations(15, 120, 7000, 300, -1, 0), b.since(a));
    }

    @Test
    void tokensChosenOnTheDeviceAreCountedBesideEveryTokenChosen() {
        EngineIterations a = EngineIterations.parse("{\"backend\":\"llama\",\"sampling\":\"device\",\"deviceSampledTotal\":40,"
                + "\"iterations\":10,\"generatedTokensTotal\":48}");
        EngineIterations b = EngineIterations.parse("{\"backend\":\"llama\",\"sampling\":\"device\",\"deviceSampledTotal\":100,"
                + "\"iterations\":30,\"generatedTokensTotal\":120}");
        assertEquals(new EngineIterations(20, -1, -1, -1, 72, 60), b.since(a));
    }

    @Test
    void steadyDecodeTakesOnlyIterationsWithEverySequenceDecodingAndNoPrompt() {
        String json = "{\"iterations\":9,\"recent\":["
                + "{\"promptTokens\":512,\"decodeTokens\":0,\"decodeNs\":9000000,\"sampleNs\":1000},"   // a prompt wave
                + "{\"promptTokens\":508,\"decodeTokens\":4,\"decodeNs\":9000000,\"sampleNs\":1000},"   // prompts ride along
                + "{\"promptTokens\":0,\"decodeTokens\":8,\"decodeNs\":1900000,\"sampleNs\":100000},"
                + "{\"promptTokens\":0,\"decodeTokens\":8,\"decodeNs\":1950000,\"sampleNs\":50000},"
                + "{\"promptTokens\":0,\"decodeTokens\":4,\"decodeNs\":1500000,\"sampleNs\":0}]}";          // the ragged end
        EngineIterations.SteadyDecode d = EngineIterations.steadyDecode(json, 8);
        assertEquals(new EngineIterations.SteadyDecode(2, 16, 4_000_000), d);
        assertEquals(4000.0, d.tokPerS(), 1e-9);
        assertEquals(0.0, EngineIterations.steadyDecode(json, 2).tokPerS());
        assertNull(EngineIterations.steadyDecode("{\"iterations\":3}", 8));
        assertNull(EngineIterations.steadyDecode("not json", 8));
    }

    @Test
    void aCounterTheEngineDoesNotKeepStaysUnknownInADifference() {
        EngineIterations a = EngineIterations.parse("{\"iterations\":3,\"decodeNsTotal\":90}");
        EngineIterations b = EngineIterations.parse("{\"iterations\":5,\"decodeNsTotal\":150}");
        assertEquals(new EngineIterations(2, -1, 60, -1, -1, 0), b.since(a));
    }

    @Test
    void statisticsWithoutAnIterationCounterAreNone() {
        assertNull(EngineIterations.parse(""));
        assertNull(EngineIterations.parse("not json"));
        assertNull(EngineIterations.parse("{\"backend\":\"trtllm\",\"recent\":[{\"iter\":1,\"iterLatencyMS\":2.5}]}"));
        assertNull(EngineIterations.parse("{\"iterations\":\"many\"}"));
    }
}
