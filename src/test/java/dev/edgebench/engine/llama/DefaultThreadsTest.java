package dev.edgebench.engine.llama;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What "auto" threads gives a context: every CPU, but a few when every layer and the output are on a GPU. */
class DefaultThreadsTest {
    @Test
    void everyLayerOnTheGpuTakesAFewThreads() {
        assertEquals(LlamaRuntime.FULL_OFFLOAD_THREADS, LlamaRuntime.defaultThreads(-1, 16, true, 16));
        assertEquals(LlamaRuntime.FULL_OFFLOAD_THREADS, LlamaRuntime.defaultThreads(99, 16, true, 16));
        assertEquals(LlamaRuntime.FULL_OFFLOAD_THREADS, LlamaRuntime.defaultThreads(17, 16, true, 16));
        assertEquals(2, LlamaRuntime.defaultThreads(-1, 16, true, 2), "never more threads than CPUs");
    }

    @Test
    void aCpuBuildOrAPartOfTheModelOnTheCpuTakesEveryCpu() {
        assertEquals(16, LlamaRuntime.defaultThreads(-1, 16, false, 16), "a build without GPU offload");
        assertEquals(16, LlamaRuntime.defaultThreads(0, 16, true, 16), "nothing offloaded");
        assertEquals(16, LlamaRuntime.defaultThreads(16, 16, true, 16), "every layer but the output (llama.cpp counts it as one more)");
        assertEquals(16, LlamaRuntime.defaultThreads(8, 16, true, 16), "half the layers");
    }
}
