package dev.edgebench.engine;

/** Why a request ended: {@code EBR_FINISH_*} (TensorRT-LLM's FinishReason values, and -1). */
public enum FinishReason {
    /** Final, but the engine does not say why (TensorRT-LLM v0.12, or an error). */
    UNKNOWN(-1),
    NOT_FINISHED(0),
    END_ID(1),
    STOP_WORDS(2),
    /** Reached max new tokens, or the end of the context. */
    LENGTH(3),
    TIMED_OUT(4),
    CANCELLED(5);

    private static final FinishReason[] BY_CODE = {NOT_FINISHED, END_ID, STOP_WORDS, LENGTH, TIMED_OUT, CANCELLED};

    private final int code;

    FinishReason(int code) {
        this.code = code;
    }

    /** @return the C value */
    public int code() {
        return code;
    }

    /**
     * @param code an {@code EBR_FINISH_*} value
     * @return its constant; codes this version does not know map to {@link #UNKNOWN}
     */
    public static FinishReason ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
