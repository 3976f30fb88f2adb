package dev.edgebench.engine;

/**
 * An engine that takes whole requests and streams their tokens back, many in flight at once: an
 * engine behind the request ABI ({@code native/shim/edgebench_request.h}: llama.cpp's in-flight
 * batching, TensorRT-LLM's executor), or a server over HTTP. The caller submits, then polls for
 * events from one thread; the engine never calls back. Every event carries its receive time on
 * the clock of {@link System#nanoTime()}, from which a request driver builds each request's
 * token timeline.
 *
 * <p>Threading: {@link #submit}, {@link #cancel} and {@link #poll} are called from one thread.
 */
public interface StreamingEngine extends AutoCloseable {
    /**
     * Starts a request without waiting for it.
     *
     * @return the request's id (positive), which its events carry
     * @throws IllegalArgumentException for a request the engine cannot take (too long a prompt, ...)
     */
    long submit(RequestSpec request);

    /** @return whether the request was still running and is now being cancelled */
    boolean cancel(long requestId);

    /**
     * Waits up to {@code timeoutMs} for events and puts them into {@code out} (replacing what it held).
     *
     * @return the number of events, 0 on timeout
     */
    int poll(int timeoutMs, PolledEvents out);

    /** @return why a request failed (its event had {@code hasError}), "" when there is no text, null when it did not fail */
    String errorText(long requestId);

    /** @return the engine's clock, ns; the clock of {@link System#nanoTime()} */
    default long nowNs() {
        return System.nanoTime();
    }

    /** @return the engine's own per-iteration statistics as JSON, or "" when it keeps none */
    default String iterationStatsJson() {
        return "";
    }

    /**
     * @return the engine's own figures for one request as a JSON object (a server's usage, timings and
     * durations, and how its chunks' tokens were counted), to be stored with the request's record;
     * "" when the engine keeps none
     */
    default String requestFiguresJson(long requestId) {
        return "";
    }

    /** @return the most events one poll can return: size {@link PolledEvents} at least this */
    int eventCapacity();

    @Override
    void close();
}
