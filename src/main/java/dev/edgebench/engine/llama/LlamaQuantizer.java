package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.bindings.llama.llama_model_quantize_params;
import dev.edgebench.model.LlamaFileType;
import dev.edgebench.model.Quantizer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** {@link Quantizer} through {@code llama_model_quantize}: llama.cpp's own per-tensor type rules. */
public final class LlamaQuantizer implements Quantizer {
    @Override
    public void quantize(Path input, Path output, LlamaFileType type, int threads) {
        LlamaRuntime.get();
        NativeLog.clear();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment p = Llama.llama_model_quantize_default_params(tmp);
            llama_model_quantize_params.nthread(p, threads);
            llama_model_quantize_params.ftype(p, type.id());
            int rc = Llama.llama_model_quantize(tmp.allocateFrom(input.toString()), tmp.allocateFrom(output.toString()), p);
            if (rc != 0) {
                String hint = type.name().startsWith("IQ1") || type.name().startsWith("IQ2") || type == LlamaFileType.Q2_K_S
                        ? "; " + type + " needs an importance matrix, which synthetic models do not have" : "";
                throw LlamaException.failure("llama_model_quantize", rc, "returned " + rc + hint,
                        input + " -> " + output + " as " + type);
            }
        }
    }

    /**
     * The one way the harness turns a model reference into a file: a .gguf path as given, a
     * catalog model from the cache, forged (and quantized by this engine) when missing, progress
     * on standard error.
     */
    public static java.nio.file.Path resolve(dev.edgebench.model.Models.Ref ref) {
        return dev.edgebench.model.Models.resolve(ref, new LlamaQuantizer(), System.err::println);
    }
}
