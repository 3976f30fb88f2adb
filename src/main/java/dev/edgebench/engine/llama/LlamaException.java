package dev.edgebench.engine.llama;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A llama.cpp call failed. The message names the call, its return code (and what the code means
 * where llama.h documents it), the input it was given and, still on its first line, the errors
 * llama.cpp logged; the following lines quote its last warnings and errors.
 *
 * <p>Every native return code in this package is checked through the static methods here, so
 * that failures read the same everywhere.
 */
public final class LlamaException extends RuntimeException {
    private final String call;
    private final int code;

    private LlamaException(String call, int code, String message) {
        super(message);
        this.call = call;
        this.code = code;
    }

    /** @return the native function that failed, e.g. {@code llama_decode} */
    public String call() {
        return call;
    }

    /** @return its return code; {@link Integer#MIN_VALUE} for a NULL handle */
    public int code() {
        return code;
    }

    /**
     * Throws unless {@code handle} is a non-NULL pointer.
     *
     * @param handle what the call returned
     * @param call   the native function's name
     * @param input  what it was given (path, parameters), for the message
     * @return {@code handle}
     */
    static MemorySegment checkHandle(MemorySegment handle, String call, String input) {
        if (handle == null || handle.address() == 0L) {
            throw failure(call, Integer.MIN_VALUE, "returned NULL", input);
        }
        return handle;
    }

    static LlamaException failure(String call, int code, String what, String input) {
        StringBuilder sb = new StringBuilder(call).append(' ').append(what);
        if (input != null && !input.isEmpty()) {
            sb.append(" (").append(input).append(')');
        }
        // llama.cpp's own reason goes on the first line: reports that keep one line per failure
        // (a run's summary) would otherwise show only "returned NULL"
        List<String> errors = NativeLog.recentErrors();
        if (!errors.isEmpty()) {
            sb.append(": ").append(String.join("; ", errors));
        }
        List<String> log = NativeLog.recent();
        if (!log.isEmpty()) {
            sb.append("\nllama.cpp said:\n  ").append(String.join("\n  ", log));
        }
        return new LlamaException(call, code, sb.toString());
    }

    /** What llama.h says a return code means. */
    static String meaning(String call, int rc) {
        if (call.equals("llama_decode")) {
            return switch (rc) {
                case 1 -> ": no KV-cache slot for the batch (context too small for this depth + batch)";
                case 2 -> ": aborted";
                case -1 -> ": invalid input batch";
                default -> rc < -1 ? ": fatal error" : "";
            };
        }
        if (call.equals("llama_model_quantize")) {
            return ": quantization failed";
        }
        return "";
    }
}
