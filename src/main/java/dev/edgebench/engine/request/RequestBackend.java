package dev.edgebench.engine.request;

/**
 * The request-engine libraries a user can choose; each implements {@code edgebench_request.h} and is
 * built into the native build's {@code lib/} folder. (The scripted test double is deliberately not
 * one of them.)
 */
public enum RequestBackend {
    /** llama.cpp with the in-flight batching scheduler; the path given to it is a GGUF file. */
    LLAMA("libedgebench_request_llama.so"),
    /** The TensorRT-LLM executor; the path given to it is an engine directory. */
    TRTLLM("libedgebench_request_trtllm.so");

    private final String fileName;

    RequestBackend(String fileName) {
        this.fileName = fileName;
    }

    /** @return the library's file name in the native build's {@code lib/} folder */
    public String fileName() {
        return fileName;
    }
}
