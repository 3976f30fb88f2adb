package dev.edgebench.model;

import java.nio.file.Path;

/** Turns a float GGUF into another llama.cpp file type with the engine's own per-tensor rules. */
@FunctionalInterface
public interface Quantizer {
    /**
     * @param input   an F16/BF16/F32 model file
     * @param output  where to write the result (overwritten)
     * @param type    target file type
     * @param threads worker threads
     * @throws RuntimeException naming the type and the reason when the engine refuses
     */
    void quantize(Path input, Path output, LlamaFileType type, int threads);
}
