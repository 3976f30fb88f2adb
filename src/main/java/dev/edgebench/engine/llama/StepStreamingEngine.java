package dev.edgebench.engine.llama;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.model.GgmlType;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The step engine serving requests ({@code llama-step}): one llama.cpp context of one sequence, and
 * requests taken one at a time in the order they came, as a command-line tool (llama-cli,
 * llama-simple) would run them back to back: the prompt prefilled in batches of {@code n_batch}
 * tokens, then one {@code llama_decode} + {@code llama_synchronize} per token. Each token is chosen
 * greedily: in the model's graph on the GPU when every layer is there (llama.cpp's backend sampling,
 * as {@code llama-batched} does; only the token comes back), else by llama.cpp's greedy sampler on the
 * host ({@value #SAMPLING_PROPERTY} overrides). No batching across requests: at concurrency C the other C − 1 wait
 * in the queue, which is what an engine-vs-engine A/B against an in-flight batching engine shows.
 *
 * <p>Greedy only: a request that asks for sampling is refused at {@link #submit}. Threading: one
 * worker thread owns the context; any thread submits and cancels; one thread polls. Events wait in
 * {@link StepEvents}, guarded by this engine's monitor.
 */
public final class StepStreamingEngine implements StreamingEngine {
    /** The specification this engine answers to. */
    public static final String SPEC = "llama-step";
    private static final int EVENT_CAPACITY = 256;
    private static final int N_BATCH = 2048;
    /** System property: where tokens are chosen, {@code auto} (default: on the device when every layer is on a GPU), {@code host} or {@code device}. */
    public static final String SAMPLING_PROPERTY = "edgebench.llama.sampling";

    private record Pending(long id, RequestSpec spec, long arrivalNs) {
    }

    private final LlamaModel model;
    private final LlamaContext ctx;
    private final LlamaBatch batch;
    private final int nCtx;
    private final int nVocab;
    private final Thread worker;
    /** Whether llama.cpp chooses the tokens in the model's graph ({@link LlamaContext#greedyOnDevice}). */
    private final boolean onDevice;
    /** Why the tokens are chosen where they are. */
    private final String samplingWhy;

    // guarded by this
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Map<Long, String> errors = new HashMap<>();
    private final java.util.Set<Long> cancels = new java.util.HashSet<>();
    private long nextId = 1;
    private boolean stop;
    // iteration statistics: decode calls, tokens in them, time in decode + synchronize, time choosing tokens, tokens chosen
    private long statIterations;
    private long statTokens;
    private long statDecodeNs;
    private long statSampleNs;
    private long statGenerated;
    private long running = -1;
    private final StepEvents events = new StepEvents(EVENT_CAPACITY);

    /**
     * Loads the model and makes the context: {@code nCtxPerSlot} tokens for the one sequence.
     *
     * @throws IllegalArgumentException when the options cannot make an engine (named)
     */
    public StepStreamingEngine(StreamingEngineOptions o) {
        if (o.modelFile() == null) {
            throw new IllegalArgumentException("engine " + SPEC + " needs a GGUF model file");
        }
        if (o.nCtxPerSlot() < 2) {
            throw new IllegalArgumentException("engine " + SPEC + " needs a context of at least 2 tokens, was " + o.nCtxPerSlot());
        }
        LlamaContext.FlashAttn fa = switch (o.flashAttn() == null ? "auto" : o.flashAttn().toLowerCase(Locale.ROOT)) {
            case "on" -> LlamaContext.FlashAttn.ON;
            case "off" -> LlamaContext.FlashAttn.OFF;
            default -> LlamaContext.FlashAttn.AUTO;
        };
        GgmlType kv = o.cacheType() == null ? GgmlType.F16 : GgmlType.parse(o.cacheType());
        String sampling = System.getProperty(SAMPLING_PROPERTY, "auto").toLowerCase(Locale.ROOT);
        if (!sampling.equals("auto") && !sampling.equals("host") && !sampling.equals("device")) {
            throw new IllegalArgumentException(SAMPLING_PROPERTY + " is '" + sampling + "'; it takes host, device or auto");
        }
        int nUbatch = Math.max(1, Math.min(o.nUbatch() > 0 ? o.nUbatch() : 512, N_BATCH));
        this.model = LlamaModel.load(o.modelFile(), new LlamaModel.Params(o.nGpuLayers(), 0, true, false));
        int threads = o.nThreads() > 0 ? o.nThreads() : LlamaRuntime.get().defaultThreads(o.nGpuLayers(), model.nLayer());
        LlamaContext c = null;
        LlamaBatch b = null;
        try {
            c = model.newContext(new LlamaContextParams(o.nCtxPerSlot(), N_BATCH, nUbatch, 1, threads, threads, fa, kv, kv, true,
                    false, 50, null));
            b = new LlamaBatch(N_BATCH, 1);
        } catch (RuntimeException e) {
            if (c != null) {
                c.close();
            }
            model.close();
            throw e;
        }
        this.ctx = c;
        this.batch = b;
        boolean allOnGpu = LlamaRuntime.get().supportsGpuOffload() && (o.nGpuLayers() < 0 || o.nGpuLayers() > model.nLayer());
        boolean wantDevice = sampling.equals("device") || sampling.equals("auto") && allOnGpu;
        boolean taken = false;
        if (wantDevice) {
            try {
                taken = c.greedyOnDevice(0);
            } catch (RuntimeException e) {
                close(c, b);
                throw e;
            }
        }
        this.onDevice = taken;
        this.samplingWhy = taken ? (sampling.equals("device") ? SAMPLING_PROPERTY + "=device" : "every layer and the output on a GPU")
                : wantDevice ? "llama.cpp cannot run the greedy chain in this graph" : sampling.equals("host") ? SAMPLING_PROPERTY + "=host"
                : "not every layer on a GPU";
        this.nCtx = c.nCtx();
        this.nVocab = c.nVocab();
        this.worker = new Thread(this::serve, "edgebench-llama-step");
        worker.setDaemon(true);
        worker.start();
    }

    private void close(LlamaContext c, LlamaBatch b) {
        b.close();
        c.close();
        model.close();
    }

    /** @return whether llama.cpp chooses this engine's tokens in the model's graph on the device */
    public boolean choosesOnDevice() {
        return onDevice;
    }

    /**
     * Counters as {@code llama-batched} keeps them ({@code EngineIterations}): each decode call is an
     * iteration; its time is the decode and the wait for it, the choice of the token apart.
     */
    @Override
    public synchronized String iterationStatsJson() {
        return String.format(Locale.ROOT, "{\"backend\":\"%s\",\"sampling\":\"%s\",\"samplingWhy\":\"%s\",\"iterations\":%d,"
                        + "\"tokensTotal\":%d,\"decodeNsTotal\":%d,\"sampleNsTotal\":%d,\"generatedTokensTotal\":%d,\"deviceSampledTotal\":%d}",
                SPEC, onDevice ? "device" : "host", samplingWhy, statIterations, statTokens, statDecodeNs, statSampleNs, statGenerated,
                onDevice ? statGenerated : 0);
    }

    @Override
    public long submit(RequestSpec r) {
        boolean greedy = r.temperature() <= 0f || r.topK() == 1;
        if (!greedy) {
            throw new IllegalArgumentException("engine " + SPEC + " chooses tokens greedily only (temperature " + r.temperature()
                    + ", top-k " + r.topK() + " asked for sampling); use llama-batched for sampled requests");
        }
        if (r.prompt().length + 1 > nCtx) {
            throw new IllegalArgumentException("prompt of " + r.prompt().length + " tokens does not fit the context of " + nCtx
                    + " tokens (with one token to generate)");
        }
        for (int i = 0; i < r.prompt().length; i++) {
            if (r.prompt()[i] < 0 || r.prompt()[i] >= nVocab) {
                throw new IllegalArgumentException("prompt token " + i + " is " + r.prompt()[i] + ", outside the model's vocabulary of "
                        + nVocab);
            }
        }
        RequestSpec copy = new RequestSpec(r.prompt().clone(), r.maxNewTokens(), r.streaming(), r.endId(), r.padId(), r.temperature(),
                r.topK(), r.topP(), r.hasSeed(), r.seed(), r.clientTag());
        synchronized (this) {
            if (stop) {
                throw new IllegalStateException("engine " + SPEC + " is closed");
            }
            long id = nextId++;
            queue.add(new Pending(id, copy, System.nanoTime()));
            notifyAll();
            return id;
        }
    }

    @Override
    public synchronized boolean cancel(long requestId) {
        boolean queued = queue.stream().anyMatch(p -> p.id() == requestId);
        if (queued || running == requestId) {
            cancels.add(requestId);
            notifyAll();
            return true;
        }
        return false;
    }

    @Override
    public synchronized int poll(int timeoutMs, PolledEvents out) {
        out.clear();
        long deadline = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
        long left;
        while (events.isEmpty() && !stop && (left = deadline - System.nanoTime()) > 0) {
            try {
                wait(Math.max(1, left / 1_000_000L), (int) (left % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return events.drainTo(out);
    }

    @Override
    public synchronized String errorText(long requestId) {
        return errors.get(requestId);
    }

    @Override
    public int eventCapacity() {
        return EVENT_CAPACITY;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (stop) {
                return;
            }
            stop = true;
            notifyAll();
        }
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        batch.close();
        ctx.close();
        model.close();
    }

    // --- worker ------------------------------------------------------------------------------

    private void serve() {
        for (;;) {
            Pending p;
            synchronized (this) {
                while (queue.isEmpty() && !stop) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stop) {
                    return;
                }
                p = queue.poll();
                running = p.id();
                if (cancels.remove(p.id())) {
                    running = -1;
                    push(p, System.nanoTime(), null, 0, true, FinishReason.CANCELLED.code(), false, 0, 0, 0, 0);
                    continue;
                }
            }
            try {
                run(p);
            } catch (RuntimeException e) {
                synchronized (this) {
                    errors.put(p.id(), e.getMessage() == null ? e.toString() : e.getMessage());
                    push(p, System.nanoTime(), null, 0, true, FinishReason.UNKNOWN.code(), true, 0, 0, 0, 0);
                }
            } finally {
                synchronized (this) {
                    running = -1;
                    cancels.remove(p.id());
                }
            }
        }
    }

    /** One request, start to end, on the worker thread. */
    private void run(Pending p) {
        RequestSpec r = p.spec();
        long firstSched = System.nanoTime();
        ctx.clearMemory(false);
        int[] prompt = r.prompt();
        int pos = 0;
        long t0 = System.nanoTime();
        int calls = 0;
        while (pos < prompt.length) {
            batch.clear();
            int end = Math.min(prompt.length, pos + N_BATCH);
            for (int i = pos; i < end; i++) {
                batch.add(prompt[i], i, 0, i == prompt.length - 1);
            }
            ctx.decode(batch);
            calls++;
            pos = end;
        }
        ctx.synchronize();
        long decodeNs = System.nanoTime() - t0;
        int decodeTokens = prompt.length;
        int[] held = r.streaming() ? null : new int[r.maxNewTokens()];
        int n = 0;
        long firstTok = 0;
        for (;;) {
            long c0 = System.nanoTime();
            int tok = onDevice ? ctx.sampledToken(-1) : ctx.sampleGreedy(-1);
            long now = System.nanoTime();
            if (firstTok == 0) {
                firstTok = now;
            }
            n++;
            boolean end = r.endId() >= 0 && tok == r.endId();
            boolean length = n >= r.maxNewTokens() || pos + 1 >= nCtx;
            boolean cancelled;
            synchronized (this) {
                cancelled = cancels.remove(p.id()) || stop;
                statIterations += calls;
                statTokens += decodeTokens;
                statDecodeNs += decodeNs;
                statSampleNs += now - c0;
                statGenerated++;
            }
            if (held != null) {
                held[n - 1] = tok;
            }
            if (end || length || cancelled) {
                int code = end ? FinishReason.END_ID.code() : length ? FinishReason.LENGTH.code() : FinishReason.CANCELLED.code();
                synchronized (this) {
                    if (held != null) {
                        push(p, now, held, n, true, code, false, firstSched, firstTok, now, n);
                    } else if (cancelled && !end && !length) {
                        push(p, now, null, 0, true, code, false, firstSched, firstTok, now, n);
                    } else {
                        push(p, now, new int[] {tok}, 1, true, code, false, firstSched, firstTok, now, n);
                    }
                }
                return;
            }
            if (held == null) {
                synchronized (this) {
                    pushToken(p, now, tok);
                }
            }
            batch.clear();
            batch.add(tok, pos, 0, true);
            long d0 = System.nanoTime();
            ctx.decode(batch);
            ctx.synchronize();
            decodeNs = System.nanoTime() - d0;
            calls = 1;
            decodeTokens = 1;
            pos++;
        }
    }

    /** A token event without allocation (called holding the monitor). */
    private void pushToken(Pending p, long now, int tok) {
        events.token(p.id(), p.spec().clientTag(), p.arrivalNs(), now, tok);
        notifyAll();
    }

    /** An event (called holding the monitor). */
    private void push(Pending p, long now, int[] toks, int count, boolean isFinal, int code, boolean error, long firstSched,
                      long firstTok, long lastTok, int iterations) {
        events.add(p.id(), p.spec().clientTag(), p.arrivalNs(), now, toks, count, isFinal, code, error, firstSched, firstTok, lastTok,
                iterations);
        notifyAll();
    }
}
