package dev.edgebench.telemetry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Samples telemetry on one background daemon thread at a fixed period, and summarises windows
 * (benchmark iterations) on request.
 *
 * <p>The thread opens the samplers (detection), samples them every period, folds the samples of
 * the open window into a {@link WindowAccumulator}, and closes them at the end: the measured
 * thread does no sampling. {@link #beginWindow()} and {@link #endWindow()} ask the thread for an
 * extra sample right now, so that a window starts and ends exactly at the call, and wait for it;
 * they are meant for the gaps between iterations (a JMH profiler's hooks), not the measured code.
 *
 * <p>Threading: the control methods may be called from any one thread at a time. Failures of the
 * sampling thread never reach the benchmark as anything but an {@link IllegalStateException} from
 * these methods, which says what failed.
 */
public final class TelemetrySession implements AutoCloseable {
    /** Longest wait for the samplers to open: NVML's first init without persistence mode takes seconds per GPU. */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);
    /** Longest wait for the sampling thread to take a boundary sample. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

    private enum Kind { BEGIN, END }

    private record Request(Kind kind, CompletableFuture<WindowSummary> done) {
    }

    private final long periodNs;
    private final Supplier<Detection> detector;
    private final CompletableFuture<Opened> opened = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile double latestMaxTemperatureC = Double.NaN;
    private volatile long samplesTaken;
    private volatile Throwable failure;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuClock = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();

    /**
     * What the sampling thread opened.
     *
     * @param detection every probe's outcome
     * @param channels  the row's channels
     * @param power     the chosen power source, or null
     * @param powerSampler name of the sampler it came from, or null
     * @param facts     the samplers' facts
     * @param notes     the samplers' notes
     */
    public record Opened(Detection detection, List<Channel> channels, PowerSource power, String powerSampler,
                         Map<String, String> facts, List<String> notes) {
    }

    private TelemetrySession(Duration period, Supplier<Detection> detector) {
        this.periodNs = period.toNanos();
        this.detector = Objects.requireNonNull(detector, "detector");
        this.thread = new Thread(this::run, "edgebench-telemetry");
        this.thread.setDaemon(true);
    }

    /**
     * Starts sampling with the samplers {@link Detection#detect} finds for the config.
     *
     * @throws IllegalArgumentException when the config has telemetry off (there is then nothing to start)
     */
    public static TelemetrySession start(TelemetryConfig config) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("telemetry is off (edgebench.telemetry=off): no session to start");
        }
        return start(config.period(), () -> Detection.detect(config));
    }

    /**
     * Starts sampling with the samplers the detector opens (on the sampling thread).
     *
     * @param period   time between samples
     * @param detector opens the samplers; called once, on the sampling thread
     */
    public static TelemetrySession start(Duration period, Supplier<Detection> detector) {
        TelemetrySession s = new TelemetrySession(period, detector);
        s.thread.start();
        return s;
    }

    /**
     * Waits for the sampling thread to open its samplers.
     *
     * @return what it opened
     * @throws IllegalStateException when it failed or did not answer in time
     */
    public Opened opened() {
        return await(opened, "open the samplers", OPEN_TIMEOUT);
    }

    /**
     * Starts a window at a sample taken now. A window left open is discarded.
     *
     * @throws IllegalStateException when the sampling thread failed or did not answer in time
     */
    public void beginWindow() {
        request(Kind.BEGIN, "begin a window");
    }

    /**
     * Ends the window at a sample taken now.
     *
     * @return the window's summary
     * @throws IllegalStateException when no window is open, or the sampling thread failed or did not answer in time
     */
    public WindowSummary endWindow() {
        WindowSummary s = request(Kind.END, "end a window");
        if (s == null) {
            throw new IllegalStateException("telemetry: endWindow() without beginWindow()");
        }
        return s;
    }

    private WindowSummary request(Kind kind, String what) {
        opened();
        if (!thread.isAlive()) {
            Throwable f = failure;
            throw new IllegalStateException("telemetry session is closed, could not " + what
                    + (f == null ? "" : ": the sampling thread failed: " + ErrorTally.describe(f)));
        }
        Request r = new Request(kind, new CompletableFuture<>());
        requests.add(r);
        LockSupport.unpark(thread);
        return await(r.done, what, ANSWER_TIMEOUT);
    }

    private <T> T await(CompletableFuture<T> f, String what, Duration timeout) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("telemetry sampling thread failed, could not " + what + ": "
                    + ErrorTally.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("telemetry sampling thread did not " + what + " within "
                    + timeout.toSeconds() + " s (a sampler read is hanging?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for telemetry to " + what);
        }
    }

    /** @return the highest temperature of the latest sample, °C; NaN before the first sample or without sensors */
    public double latestMaxTemperatureC() {
        return latestMaxTemperatureC;
    }

    /** @return samples taken so far */
    public long samplesTaken() {
        return samplesTaken;
    }

    /** @return the sampling period */
    public Duration period() {
        return Duration.ofNanos(periodNs);
    }

    /** @return the sampling thread's failure, or null while it is healthy */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        SamplerSet set = null;
        try {
            Detection detection = detector.get();
            set = SamplerSet.of(detection.samplers());
            opened.complete(new Opened(detection, set.channels(), set.power(), set.powerSampler(), set.facts(), set.notes()));
            Quantity[] q = set.channels().stream().map(Channel::quantity).toArray(Quantity[]::new);
            double[] row = new double[set.width()];
            WindowAccumulator window = null;
            long windowCpuStartNs = -1;
            long next = System.nanoTime();
            while (!stopping) {
                Request req = requests.poll();
                if (req == null) {
                    long now = System.nanoTime();
                    if (next - now > 0) {
                        LockSupport.parkNanos(this, next - now);
                        continue;
                    }
                    next += periodNs;
                    if (next - now <= 0) {
                        next = now + periodNs;
                    }
                }
                boolean begin = req != null && req.kind == Kind.BEGIN;
                if (begin) {
                    windowCpuStartNs = threadCpuNs();
                }
                long t = System.nanoTime();
                long cost = set.sample(row);
                latestMaxTemperatureC = maxTemperature(row, q);
                samplesTaken = samplesTaken + 1;
                if (begin) {
                    window = WindowAccumulator.of(set);
                    window.add(t, row, cost, set.lastWallNsBy());
                    req.done.complete(null);
                    continue;
                }
                if (window != null) {
                    window.add(t, row, cost, set.lastWallNsBy());
                }
                if (req != null) {
                    if (window != null && windowCpuStartNs >= 0) {
                        window.threadCpuNs(threadCpuNs() - windowCpuStartNs);
                    }
                    req.done.complete(window == null ? null : window.summary());
                    window = null;
                }
            }
        } catch (Throwable t) {
            failure = t;
            opened.completeExceptionally(t);
        } finally {
            if (set != null) {
                set.close();
            }
            Throwable f = failure;
            for (Request r; (r = requests.poll()) != null; ) {
                if (f != null) {
                    r.done.completeExceptionally(f);
                } else {
                    r.done.completeExceptionally(new IllegalStateException("telemetry session closed"));
                }
            }
        }
    }

    private long threadCpuNs() {
        return cpuClock ? threads.getCurrentThreadCpuTime() : -1;
    }

    private static double maxTemperature(double[] row, Quantity[] q) {
        double m = Double.NaN;
        for (int c = 0; c < q.length; c++) {
            if (q[c] == Quantity.TEMPERATURE_C && !Double.isNaN(row[c]) && !(row[c] <= m)) {
                m = row[c];
            }
        }
        return m;
    }

    /** Stops the sampling thread, which closes the samplers; waits up to 5 s for it. Never throws. */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
