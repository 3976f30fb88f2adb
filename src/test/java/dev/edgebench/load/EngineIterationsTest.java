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
        assertEquals(new EngineIterations(10, 80, 5000, 700), a);
        assertEquals(new EngineIterations(15, 120, 7000, 300), b.since(a));
    }

    @Test
    void aCounterTheEngineDoesNotKeepStaysUnknownInADifference() {
        EngineIterations a = EngineIterations.parse("{\"iterations\":3,\"decodeNsTotal\":90}");
        EngineIterations b = EngineIterations.parse("{\"iterations\":5,\"decodeNsTotal\":150}");
        assertEquals(new EngineIterations(2, -1, 60, -1), b.since(a));
    }

    @Test
    void statisticsWithoutAnIterationCounterAreNone() {
        assertNull(EngineIterations.parse(""));
        assertNull(EngineIterations.parse("not json"));
        assertNull(EngineIterations.parse("{\"backend\":\"trtllm\",\"recent\":[{\"iter\":1,\"iterLatencyMS\":2.5}]}"));
        assertNull(EngineIterations.parse("{\"iterations\":\"many\"}"));
    }
}
