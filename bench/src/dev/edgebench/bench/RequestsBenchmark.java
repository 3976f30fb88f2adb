package dev.edgebench.bench;

import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.engine.StreamingEngineOptions;
import dev.edgebench.engine.StreamingEngineProvider;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.engine.llama.StepStreamingEngine;
import dev.edgebench.latency.RequestMetrics;
import dev.edgebench.latency.RequestTimeline;
import dev.edgebench.latency.Slo;
import dev.edgebench.latency.TokenClock;
import dev.edgebench.latency.WorkCounter;
import dev.edgebench.load.BatchResult;
import dev.edgebench.load.EngineIterations;
import dev.edgebench.load.LoadClock;
import dev.edgebench.load.LoadSpec;
import dev.edgebench.load.Prompts;
import dev.edgebench.load.RequestDriver;
import dev.edgebench.load.RequestLog;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.GgufKv;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.Models;
import dev.edgebench.run.RunFolder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Requests through a streaming engine ({@link StreamingEngineProvider#forSpec}: {@code llama-batched},
 * {@code trtllm:<engine dir>}, the HTTP engines, ...): one JMH iteration is one sample is one batch
 * of {@code nRequests} requests of {@code nPrompt} prompt and {@code nGen} output tokens, driven by
 * the {@link RequestDriver} closed loop at {@code concurrency} ({@code rate} 0) or open loop at
 * {@code rate} requests/s (seeded gamma arrivals of shape {@code burstiness}; 1 = Poisson). Each
 * sample's requests are recorded into {@link TokenClock} (TTFT, per-token ITL, ICL, TPOT, E2E) and
 * its batch figures (req/s, output tok/s, goodput under {@code slo}, error rate) and the engine's
 * own account of it (iterations, tokens per iteration, forward-pass and sampling shares, from its
 * iteration statistics) published by {@link EdgebenchProfiler}; every measured request goes to
 * {@code requests/<id>.jsonl}, the engine's statistics of each sample to {@code requests/<id>.engine.jsonl}. The engine
 * is opened once per trial, with one slot per request in flight.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RequestsBenchmark {
    /** Seed of the first sample's prompts and schedule; sample i uses SEED + i. */
    static final long SEED = 1234;

    @State(Scope.Benchmark)
    public static class Session {
        /** A streaming engine specification. */
        @Param({"llama-batched"})
        public String engine;
        /** Requests in flight at most. */
        @Param({"1"})
        public int concurrency;
        /** Requests per second (open loop); 0: closed loop. */
        @Param({"0"})
        public double rate;
        /** Gamma shape of the open loop's arrival gaps. */
        @Param({"1"})
        public double burstiness;
        /** Measured requests per sample. */
        @Param({"16"})
        public int nRequests;
        @Param({"128"})
        public int nPrompt;
        @Param({"128"})
        public int nGen;
        /** 0: exact lengths; else each prompt and output length drawn uniformly (seeded) from [n·(1−r), n·(1+r)]. */
        @Param({"0"})
        public double lengthRange;
        /** Goodput objectives, e.g. ttft=200ms,tpot=50ms; "none". */
        @Param({"none"})
        public String slo;
        /** Catalog NAME:TYPE[@SEED] or a .gguf path: the engine's model (in-process) and the prompts' vocabulary. */
        @Param({"Llama-3.2-1B:Q4_0"})
        public String model;
        /** CPU threads; 0 = all available processors. */
        @Param({"0"})
        public int threads;
        /** "auto" (all layers when the build has a GPU, else 0) or a number (-1 = all). */
        @Param({"auto"})
        public String nGpuLayers;
        @Param({"auto"})
        public String flashAttn;
        @Param({"f16"})
        public String cacheType;
        @Param({"512"})
        public int ubatch;

        StreamingEngine opened;
        RequestDriver driver;
        LoadSpec spec;
        String id;
        int sample;
        boolean warmup;
        BatchResult last;
        EngineIterations engineBefore;
        /** At Ctrl-C (JVM shutdown): the batch in progress is interrupted and its requests in flight recorded as cancelled. */
        Thread interruptHook;
        volatile boolean inBatch;
        volatile BatchResult stopped;
        final java.util.concurrent.CountDownLatch batchEnded = new java.util.concurrent.CountDownLatch(1);

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) throws IOException {
            id = BenchId.of(params);
            try {
                EngineState.positive("concurrency", concurrency);
                EngineState.positive("nRequests", nRequests);
                EngineState.positive("nPrompt", nPrompt);
                EngineState.positive("nGen", nGen);
                Models.Ref ref = Models.parse(model, Catalog.builtin());
                Path file = LlamaQuantizer.resolve(ref);
                ModelFacts facts = ModelFacts.of(file);
                int bos = bosId(file);
                spec = new LoadSpec(concurrency, rate, burstiness, nRequests, 0, 0, nPrompt, lengthRange, nGen, lengthRange, SEED,
                        Slo.parse(slo), facts.nVocab(), bos, LoadSpec.DEFAULT_STALL_NS);
                boolean inProcessLlama = engine.equals("llama-batched") || engine.equals(StepStreamingEngine.SPEC);
                int ngl = inProcessLlama ? BenchSetup.resolveGpuLayers(nGpuLayers)
                        : nGpuLayers.equals("auto") ? -1 : Integer.parseInt(nGpuLayers);
                int nThreads = threads > 0 ? threads : LlamaRuntime.get().defaultThreads(ngl, facts.nLayer());
                StreamingEngineOptions o = new StreamingEngineOptions(model, file, concurrency,
                        Prompts.maxLength(nPrompt, lengthRange) + Prompts.maxLength(nGen, lengthRange), ubatch, nThreads, ngl,
                        flashAttn, cacheType);
                opened = StreamingEngineProvider.forSpec(engine).open(engine, o);
                driver = new RequestDriver(opened, LoadClock.SYSTEM);
                interruptHook = new Thread(this::interrupted, "edgebench-requests-interrupted");
                Runtime.getRuntime().addShutdownHook(interruptHook);
                TokenClock.setFacts(new TokenClock.RunFacts(concurrency, 0, ref.toString(), nThreads));
            } catch (Throwable t) {
                RunFiles.recordFailure(id, t);
                if (opened != null) {
                    opened.close();
                }
                throw t;
            }
        }

        @Setup(Level.Iteration)
        public void next(IterationParams ip) {
            warmup = ip.getType() == IterationType.WARMUP;
            sample++;
            last = null;
            // the engine's counters before the sample (this read also empties its list of recent iterations)
            engineBefore = EngineIterations.parse(opened.iterationStatsJson());
        }

        /**
         * Off the measured path: takes the engine's own account of the sample (its counters since
         * {@link #next}) for the profiler, and writes the sample's request records and the engine's
         * statistics (measurement samples only).
         */
        @TearDown(Level.Iteration)
        public void writeRecords() {
            String stats = opened.iterationStatsJson();
            EngineIterations after = EngineIterations.parse(stats);
            if (after != null && engineBefore != null) {
                EngineIterations d = after.since(engineBefore);
                EngineIterations.SteadyDecode steady = EngineIterations.steadyDecode(stats, concurrency);
                TokenClock.setEngineTime(new TokenClock.EngineTime(d.iterations(), d.tokens(), d.decodeNs(), d.sampleNs(), d.generated(),
                        d.onDevice(), steady == null ? 0 : steady.tokPerS()));
            }
            RunFolder f = RunFiles.folder();
            if (f == null || warmup || last == null) {
                return;
            }
            try {
                RequestLog.append(f.requests(id), last.records());
                if (!stats.isBlank()) {
                    var line = RunFolder.json().createObjectNode().put("iteration", sample);
                    try {
                        line.set("stats", RunFolder.json().readTree(stats));
                    } catch (IOException notJson) {
                        line.put("statsText", stats);
                    }
                    RequestLog.appendLine(f.engineIterations(id), RunFolder.json().writer()
                            .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(line));
                }
            } catch (IOException e) {
                System.err.println("edgebench: could not write the request records of " + id + ": " + e.getMessage());
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (interruptHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(interruptHook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs
                }
            }
            if (opened != null) {
                opened.close();
            }
        }

        /**
         * The JVM is shutting down (Ctrl-C, the host gone) while the trial runs: stops the batch in
         * progress, which cancels its requests in flight in the engine, and appends its requests
         * (finished, and cancelled with their tokens so far) to the requests file, marked
         * CANCELLED; a measured sample's requests already written stay as they are.
         */
        private void interrupted() {
            driver.interrupt();
            if (!inBatch) {
                return;
            }
            try {
                batchEnded.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            BatchResult b = stopped;
            RunFolder f = RunFiles.folder();
            if (b == null || f == null || warmup || b.records().isEmpty()) {
                return;
            }
            try {
                RequestLog.append(f.requests(id), b.records());
                long cancelled = b.records().stream().filter(r -> "CANCELLED".equals(r.finishReason())).count();
                System.err.println("edgebench: interrupted: " + cancelled + " request(s) in flight cancelled; the sample's "
                        + b.records().size() + " request(s) recorded in " + f.requests(id));
            } catch (IOException e) {
                System.err.println("edgebench: could not write the interrupted requests of " + id + ": " + e.getMessage());
            }
        }
    }

    /** The model's beginning-of-sequence id when its tokenizer adds one, else -1. */
    static int bosId(Path gguf) throws IOException {
        GgufFile g = GgufFile.read(gguf);
        GgufKv add = g.get("tokenizer.ggml.add_bos_token");
        long bos = g.getLong("tokenizer.ggml.bos_token_id", -1);
        boolean adds = add == null ? bos >= 0 : Boolean.TRUE.equals(add.value());
        return adds && bos >= 0 && bos <= Integer.MAX_VALUE ? (int) bos : -1;
    }

    @Benchmark
    public void requests(Session s) {
        s.inBatch = true;
        BatchResult r = s.driver.run(s.spec.withSeed(SEED + s.sample), s.sample);
        s.inBatch = false;
        if (r.interrupted()) {
            s.stopped = r;
            s.batchEnded.countDown();
            return;     // not a sample: the shutdown hook records its requests
        }
        s.last = r;
        for (RequestTimeline t : r.timelines()) {
            RequestMetrics.record(t, TokenClock.REQUESTS);
        }
        TokenClock.setBatch(r.stats());
        long prompt = 0;
        for (var rec : r.records()) {
            prompt += rec.promptTokens();
        }
        WorkCounter.addPrefill(prompt);
        WorkCounter.addGenerated(r.stats().outputTokens());
    }
}
