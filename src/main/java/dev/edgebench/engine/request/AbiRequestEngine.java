package dev.edgebench.engine.request;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngine;

import dev.edgebench.bindings.request.EdgebenchRequest;
import dev.edgebench.bindings.request.ebr_config;
import dev.edgebench.bindings.request.ebr_event;
import dev.edgebench.bindings.request.ebr_request;
import dev.edgebench.engine.llama.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One engine instance behind {@code edgebench_request.h}: submit requests, poll for their token
 * events. Owns the native engine and one shared {@link Arena} holding every buffer: the event and
 * token buffers of {@link #poll} are made once, at open, so polling allocates nothing (except when one
 * event carries more tokens than the token buffer holds: that buffer then grows).
 *
 * <p>Threading: {@link #poll} from one thread at a time; {@link #submit}, {@link #cancel},
 * {@link #errorText} and {@link #iterationStatsJson} from any thread, also while another polls;
 * {@link #close} when no other call is running. A closed engine refuses every call with
 * {@link IllegalStateException}. Times are nanoseconds on the clock of {@link System#nanoTime()}.
 */
public final class AbiRequestEngine implements StreamingEngine {
    private static final int TEXT_BYTES = 4096;

    private final Arena arena = Arena.ofShared();
    private final RequestAbi abi;
    private final String path;
    private final MemorySegment handleSlot;
    private final MemorySegment handle;
    private final int eventCapacity;
    private final MemorySegment events;
    private final MemorySegment tokensUsed;
    private MemorySegment tokens;
    private int tokenCapacity;
    private final Object submitLock = new Object();
    private final MemorySegment request;
    private final MemorySegment submitText;
    private MemorySegment prompt;
    private final Object textLock = new Object();
    private MemorySegment text;
    private volatile boolean closed;

    private AbiRequestEngine(Path library, String path, RequestEngineConfig config, int eventCapacity, int tokenCapacity) {
        if (eventCapacity < 1 || tokenCapacity < 1) {
            throw new IllegalArgumentException("eventCapacity and tokenCapacity must be at least 1: " + eventCapacity + ", " + tokenCapacity);
        }
        this.path = path;
        this.eventCapacity = eventCapacity;
        this.tokenCapacity = tokenCapacity;
        try {
            abi = new RequestAbi(library, arena);
            events = arena.allocate(ebr_event.layout(), eventCapacity);
            tokens = arena.allocate(ValueLayout.JAVA_INT, tokenCapacity);
            tokensUsed = arena.allocate(ValueLayout.JAVA_INT);
            request = ebr_request.allocate(arena);
            submitText = arena.allocate(TEXT_BYTES);
            text = arena.allocate(TEXT_BYTES);
            prompt = arena.allocate(ValueLayout.JAVA_INT, 4096);
            handleSlot = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment cfg = ebr_config.allocate(arena);
            RequestAbi.invoke(abi.configInit, "ebr_config_init", cfg);
            write(config, cfg);
            MemorySegment err = arena.allocate(TEXT_BYTES);
            int rc = (int) RequestAbi.invoke(abi.create, "ebr_create", arena.allocateFrom(path), cfg, handleSlot, err, TEXT_BYTES);
            if (rc != EdgebenchRequest.EBR_OK()) {
                throw new RequestEngineException("ebr_create", rc, err.getString(0) + " [library " + library + "]");
            }
            handle = handleSlot.get(ValueLayout.ADDRESS, 0);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens an engine of a user-selectable backend, its library found by the native loader's search
     * ({@link NativeLibraries#locate}).
     *
     * @param backend       which library
     * @param modelOrEngine a GGUF file (llama) or an engine directory (trtllm)
     * @param config        engine configuration
     * @param eventCapacity most events returned by one poll
     * @param tokenCapacity tokens returned by one poll, to start with
     * @throws RequestEngineException when the library or the model cannot be loaded (the message names both)
     * @throws NativeLibraries.NativeLibraryException listing every place searched when the library is missing
     */
    public static AbiRequestEngine open(RequestBackend backend, Path modelOrEngine, RequestEngineConfig config, int eventCapacity,
                                        int tokenCapacity) {
        if (backend == RequestBackend.LLAMA) {
            NativeLibraries.load();  // one copy of libllama in the process, shared with the step engine
        }
        return new AbiRequestEngine(NativeLibraries.locate(backend.fileName()), modelOrEngine.toString(), config, eventCapacity,
                tokenCapacity);
    }

    /**
     * Loads a backend's library without creating an engine and asks it its backend's name and
     * version ({@code ebr_backend_version}).
     *
     * @return the library's path and the version text
     * @throws RequestEngineException when the library does not load or implements another ABI version
     * @throws NativeLibraries.NativeLibraryException listing every place searched when the library is missing
     */
    public static String[] describeLibrary(RequestBackend backend) {
        if (backend == RequestBackend.LLAMA) {
            NativeLibraries.load();
        }
        Path library = NativeLibraries.locate(backend.fileName());
        try (Arena a = Arena.ofConfined()) {
            RequestAbi abi = new RequestAbi(library, a);
            MemorySegment buf = a.allocate(TEXT_BYTES);
            int len = (int) RequestAbi.invoke(abi.backendVersion, "ebr_backend_version", buf, TEXT_BYTES);
            return new String[] {library.toString(), len < 0 ? null : buf.getString(0, StandardCharsets.UTF_8)};
        }
    }

    /** Opens an engine from an explicit library (the tests' scripted double). */
    static AbiRequestEngine open(Path library, String path, RequestEngineConfig config, int eventCapacity, int tokenCapacity) {
        return new AbiRequestEngine(library, path, config, eventCapacity, tokenCapacity);
    }

    private static void write(RequestEngineConfig c, MemorySegment s) {
        ebr_config.n_ctx(s, c.nCtx());
        ebr_config.n_batch(s, c.nBatch());
        ebr_config.n_ubatch(s, c.nUbatch());
        ebr_config.n_seq_max(s, c.nSeqMax());
        ebr_config.n_threads(s, c.nThreads());
        ebr_config.n_threads_batch(s, c.nThreadsBatch());
        ebr_config.n_gpu_layers(s, c.nGpuLayers());
        ebr_config.flash_attn(s, c.flashAttn());
        ebr_config.type_k(s, c.typeK());
        ebr_config.type_v(s, c.typeV());
        ebr_config.use_mmap(s, c.useMmap());
        ebr_config.kv_unified(s, c.kvUnified());
        ebr_config.max_queued(s, c.maxQueued());
        ebr_config.max_beam_width(s, c.maxBeamWidth());
        ebr_config.max_batch_size(s, c.maxBatchSize());
        ebr_config.max_num_tokens(s, c.maxNumTokens());
        ebr_config.kv_max_tokens(s, c.kvMaxTokens());
        ebr_config.kv_enable_block_reuse(s, c.kvEnableBlockReuse());
        ebr_config.scheduler_policy(s, c.schedulerPolicy());
        ebr_config.iter_stats_max_iterations(s, c.iterStatsMaxIterations());
        ebr_config.return_perf_metrics(s, c.returnPerfMetrics());
        ebr_config.kv_free_gpu_mem_fraction(s, c.kvFreeGpuMemFraction());
    }

    /**
     * Submits a request.
     *
     * @return its id (positive), which every event of the request carries
     * @throws RequestEngineException when the engine refuses it (the message says why: bad input, queue full, failed engine)
     */
    public long submit(RequestSpec r) {
        ensureOpen();
        synchronized (submitLock) {
            int n = r.prompt().length;
            if (prompt.byteSize() < (long) n * Integer.BYTES) {
                prompt = arena.allocate(ValueLayout.JAVA_INT, Math.max(n, prompt.byteSize() / Integer.BYTES * 2));
            }
            MemorySegment.copy(r.prompt(), 0, prompt, ValueLayout.JAVA_INT, 0, n);
            RequestAbi.invoke(abi.requestInit, "ebr_request_init", request);
            ebr_request.tokens(request, prompt);
            ebr_request.n_tokens(request, n);
            ebr_request.max_new_tokens(request, r.maxNewTokens());
            ebr_request.streaming(request, r.streaming() ? 1 : 0);
            ebr_request.end_id(request, r.endId());
            ebr_request.pad_id(request, r.padId());
            ebr_request.temperature(request, r.temperature());
            ebr_request.top_k(request, r.topK());
            ebr_request.top_p(request, r.topP());
            ebr_request.has_seed(request, r.hasSeed() ? 1 : 0);
            ebr_request.seed(request, r.seed());
            ebr_request.client_tag(request, r.clientTag());
            long id = (long) RequestAbi.invoke(abi.enqueue, "ebr_enqueue", handle, request, submitText, TEXT_BYTES);
            if (id <= 0) {
                throw new RequestEngineException("ebr_enqueue", (int) id, submitText.getString(0) + " [" + path + "]");
            }
            return id;
        }
    }

    /**
     * Asks the engine to stop a request; its final event follows.
     *
     * @return true when the request was still running, false when it is unknown or has already ended
     */
    public boolean cancel(long requestId) {
        ensureOpen();
        int rc = (int) RequestAbi.invoke(abi.cancel, "ebr_cancel", handle, requestId);
        if (rc == EdgebenchRequest.EBR_OK()) {
            return true;
        }
        if (rc == EdgebenchRequest.EBR_ERR_NOT_FOUND()) {
            return false;
        }
        throw new RequestEngineException("ebr_cancel", rc, "request " + requestId + " [" + path + "]");
    }

    /**
     * Waits up to {@code timeoutMs} for events and copies them into {@code out}.
     *
     * @param timeoutMs 0: do not wait
     * @param out       receives the events; its capacity must be at least this engine's
     * @return the number of events (0 on timeout)
     * @throws RequestEngineException when the engine failed as a whole
     */
    public int poll(int timeoutMs, PolledEvents out) {
        ensureOpen();
        if (out.eventCapacity() < eventCapacity) {
            throw new IllegalArgumentException("PolledEvents holds " + out.eventCapacity() + " events; this engine polls up to " + eventCapacity);
        }
        for (;;) {
            int n;
            try {
                n = (int) abi.poll.invokeExact(handle, timeoutMs, events, eventCapacity, tokens, tokenCapacity, tokensUsed);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("ebr_poll: " + t, t);
            }
            if (n >= 0) {
                copyOut(out, n, tokensUsed.get(ValueLayout.JAVA_INT, 0));
                return n;
            }
            if (n != EdgebenchRequest.EBR_ERR_BUFFER_TOO_SMALL()) {
                throw new RequestEngineException("ebr_poll", n, n == EdgebenchRequest.EBR_ERR_ENGINE() ? errorText(0) : "[" + path + "]");
            }
            // one event carries more tokens than the buffer holds; it stays queued until the buffer fits it
            int needed = tokensUsed.get(ValueLayout.JAVA_INT, 0);
            tokenCapacity = Math.max(needed, tokenCapacity * 2);
            tokens = arena.allocate(ValueLayout.JAVA_INT, tokenCapacity);
        }
    }

    private static final long EV_SIZE = ebr_event.sizeof();
    private static final long REQ_ID = ebr_event.req_id$offset();
    private static final long CLIENT_TAG = ebr_event.client_tag$offset();
    private static final long RECV_NS = ebr_event.recv_ns$offset();
    private static final long ARRIVAL_NS = ebr_event.arrival_ns$offset();
    private static final long FIRST_SCHED_NS = ebr_event.first_sched_ns$offset();
    private static final long FIRST_TOK_NS = ebr_event.first_tok_ns$offset();
    private static final long LAST_TOK_NS = ebr_event.last_tok_ns$offset();
    private static final long TOK_OFF = ebr_event.tok_off$offset();
    private static final long N_TOK = ebr_event.n_tok$offset();
    private static final long IS_FINAL = ebr_event.is_final$offset();
    private static final long FINISH_REASON = ebr_event.finish_reason$offset();
    private static final long HAS_ERROR = ebr_event.has_error$offset();
    private static final long HAS_PERF = ebr_event.has_perf$offset();
    private static final long DECODING_ITER = ebr_event.decoding_iter$offset();

    /** Copies {@code n} events and {@code used} tokens out of the native buffers: no allocation. */
    private void copyOut(PolledEvents out, int n, int used) {
        out.clear();
        out.copyTokens(tokens, used);
        for (int i = 0; i < n; i++) {
            long b = i * EV_SIZE;
            out.appendEvent(events.get(ValueLayout.JAVA_LONG, b + REQ_ID), events.get(ValueLayout.JAVA_LONG, b + CLIENT_TAG),
                    events.get(ValueLayout.JAVA_LONG, b + RECV_NS), events.get(ValueLayout.JAVA_LONG, b + ARRIVAL_NS),
                    events.get(ValueLayout.JAVA_LONG, b + FIRST_SCHED_NS), events.get(ValueLayout.JAVA_LONG, b + FIRST_TOK_NS),
                    events.get(ValueLayout.JAVA_LONG, b + LAST_TOK_NS), events.get(ValueLayout.JAVA_INT, b + TOK_OFF),
                    events.get(ValueLayout.JAVA_INT, b + N_TOK), events.get(ValueLayout.JAVA_INT, b + IS_FINAL) != 0,
                    events.get(ValueLayout.JAVA_INT, b + FINISH_REASON), events.get(ValueLayout.JAVA_INT, b + HAS_ERROR) != 0,
                    events.get(ValueLayout.JAVA_INT, b + HAS_PERF) != 0, events.get(ValueLayout.JAVA_INT, b + DECODING_ITER));
        }
    }

    /**
     * @param requestId a request whose event had {@code hasError}, or 0 for the engine's own failure
     * @return the error text ("" when there is none), or null when the request never failed
     */
    public String errorText(long requestId) {
        ensureOpen();
        synchronized (textLock) {
            int len = copyText(() -> (int) RequestAbi.invoke(abi.error, "ebr_error", handle, requestId, text, (int) text.byteSize()));
            return len < 0 ? null : text.getString(0, StandardCharsets.UTF_8);
        }
    }

    /**
     * @return the engine's iteration statistics as one JSON object: cumulative counters and the
     *         iterations since the previous call (keys per library: see native/shim)
     * @throws RequestEngineException when the library has no statistics
     */
    public String iterationStatsJson() {
        ensureOpen();
        synchronized (textLock) {
            int len = copyText(() -> (int) RequestAbi.invoke(abi.iterStatsJson, "ebr_iter_stats_json", handle, text, (int) text.byteSize()));
            if (len < 0) {
                throw new RequestEngineException("ebr_iter_stats_json", len, "[" + path + "]");
            }
            return text.getString(0, StandardCharsets.UTF_8);
        }
    }

    /** Calls a text-copying function, growing the buffer until the whole text fits; returns its length or code. */
    private int copyText(java.util.function.IntSupplier call) {
        int len = call.getAsInt();
        while (len >= text.byteSize()) {
            text = arena.allocate(len + 1L);
            len = call.getAsInt();
        }
        return len;
    }

    /** @return the library's clock (CLOCK_MONOTONIC), ns */
    public long nowNs() {
        ensureOpen();
        return (long) RequestAbi.invoke(abi.nowNs, "ebr_now_ns");
    }

    /** @return the library's {@code EBR_CAP_*} bits */
    public long capabilities() {
        ensureOpen();
        return (long) RequestAbi.invoke(abi.capabilities, "ebr_capabilities");
    }

    /** @return whether the library provides a capability ({@code EdgebenchRequest.EBR_CAP_*()}) */
    public boolean has(int capability) {
        return (capabilities() & Integer.toUnsignedLong(capability)) != 0;
    }

    /** @return the backend's name and version, e.g. "llama.cpp 0.5.0" */
    public String backendVersion() {
        ensureOpen();
        synchronized (textLock) {
            copyText(() -> (int) RequestAbi.invoke(abi.backendVersion, "ebr_backend_version", text, (int) text.byteSize()));
            return text.getString(0, StandardCharsets.UTF_8);
        }
    }

    /** @return the library this engine runs in */
    public Path library() {
        return abi.library;
    }

    /** @return the event capacity of {@link #poll} */
    public int eventCapacity() {
        return eventCapacity;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("request engine for " + path + " is closed");
        }
    }

    /** Stops the engine (requests in flight end without final events) and frees its memory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int rc = (int) RequestAbi.invoke(abi.destroy, "ebr_destroy", handleSlot);
            if (rc != EdgebenchRequest.EBR_OK()) {
                throw new RequestEngineException("ebr_destroy", rc, "the engine's shutdown reported an error [" + path + "]");
            }
        } finally {
            arena.close();
        }
    }
}
