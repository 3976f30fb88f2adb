package dev.edgebench.engine.request;

import dev.edgebench.bindings.request.EdgebenchRequest;

/**
 * A call of the request ABI failed: names the call, the {@code EBR_ERR_*} code and the library's
 * message (which names the model or engine path and the cause).
 */
public final class RequestEngineException extends RuntimeException {
    private final String call;
    private final int code;

    RequestEngineException(String call, int code, String message) {
        super(call + " failed with " + codeName(code) + " (" + code + ")" + (message == null || message.isBlank() ? "" : ": " + message));
        this.call = call;
        this.code = code;
    }

    /** @return the C function that failed, e.g. {@code ebr_create} */
    public String call() {
        return call;
    }

    /** @return the {@code EBR_ERR_*} code (negative) */
    public int code() {
        return code;
    }

    /** @return the name of an {@code EBR_ERR_*} code */
    public static String codeName(int code) {
        for (int i = 0; i < CODES.length; i++) {
            if (CODES[i] == code) {
                return NAMES[i];
            }
        }
        return "an unknown code";
    }

    private static final int[] CODES = {EdgebenchRequest.EBR_ERR_INVALID_ARGUMENT(), EdgebenchRequest.EBR_ERR_STRUCT_SIZE(),
        EdgebenchRequest.EBR_ERR_LOAD(), EdgebenchRequest.EBR_ERR_NOT_FOUND(), EdgebenchRequest.EBR_ERR_BUFFER_TOO_SMALL(),
        EdgebenchRequest.EBR_ERR_UNSUPPORTED(), EdgebenchRequest.EBR_ERR_BUSY(), EdgebenchRequest.EBR_ERR_ENGINE(),
        EdgebenchRequest.EBR_ERR_NO_MEMORY(), EdgebenchRequest.EBR_ERR_INTERNAL()};
    private static final String[] NAMES = {"EBR_ERR_INVALID_ARGUMENT", "EBR_ERR_STRUCT_SIZE", "EBR_ERR_LOAD", "EBR_ERR_NOT_FOUND",
        "EBR_ERR_BUFFER_TOO_SMALL", "EBR_ERR_UNSUPPORTED", "EBR_ERR_BUSY", "EBR_ERR_ENGINE", "EBR_ERR_NO_MEMORY", "EBR_ERR_INTERNAL"};
}
