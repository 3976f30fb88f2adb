package dev.edgebench.telemetry;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits, before a benchmark, until the machine has cooled: until the hottest sensor reads below a
 * threshold or a time limit passes, whichever comes first. Temperatures come from a running
 * {@link TelemetrySession}, so the wait itself disturbs nothing.
 *
 * <p>System properties: {@code edgebench.cooldown.tempC} (the threshold, °C; no cool-down when
 * unset) and {@code edgebench.cooldown.maxSeconds} (the limit, default {@value #DEFAULT_MAX_SECONDS}).
 */
public final class Cooldown {
    /** Default time limit, seconds. */
    public static final long DEFAULT_MAX_SECONDS = 300;

    private Cooldown() {
    }

    /**
     * What a cool-down did.
     *
     * @param targetC   the threshold, °C
     * @param maxS      the time limit, seconds
     * @param waitedS   how long it waited, seconds
     * @param startC    hottest sensor when it began, °C (NaN without sensors)
     * @param endC      hottest sensor when it ended, °C
     * @param reached   whether the temperature fell below the threshold
     * @param note      one line for reports
     */
    public record Result(double targetC, double maxS, double waitedS, double startC, double endC, boolean reached, String note) {
    }

    /**
     * The cool-down the system properties ask for.
     *
     * @return null when {@code edgebench.cooldown.tempC} is unset
     * @throws IllegalArgumentException naming the property and its bad value
     */
    public static Settings fromSystemProperties() {
        String t = System.getProperty("edgebench.cooldown.tempC");
        if (t == null || t.isBlank()) {
            return null;
        }
        double targetC;
        try {
            targetC = Double.parseDouble(t.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("edgebench.cooldown.tempC must be a number of °C, got '" + t + "'");
        }
        String m = System.getProperty("edgebench.cooldown.maxSeconds");
        long maxS = m == null || m.isBlank() ? DEFAULT_MAX_SECONDS : TelemetryConfig.parseLong("edgebench.cooldown.maxSeconds", m);
        return new Settings(targetC, Duration.ofSeconds(maxS));
    }

    /**
     * A requested cool-down.
     *
     * @param targetC  wait until the hottest sensor is below this, °C
     * @param maxWait  but no longer than this
     */
    public record Settings(double targetC, Duration maxWait) {
        public Settings {
            if (Double.isNaN(targetC) || targetC <= 0 || targetC > 150) {
                throw new IllegalArgumentException("cool-down threshold must be in (0, 150] °C, got " + targetC);
            }
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("cool-down limit must not be negative, got " + maxWait);
            }
        }
    }

    /**
     * Waits as the settings ask, polling the session once per sampling period.
     *
     * @return what happened; never throws except {@link IllegalStateException} from a failed session
     */
    public static Result await(TelemetrySession session, Settings settings) {
        long start = System.nanoTime();
        long limitNs = settings.maxWait().toNanos();
        long pollNs = session.period().toNanos();
        while (session.samplesTaken() == 0 && System.nanoTime() - start < limitNs + pollNs) {
            sleep(Math.min(pollNs, 10_000_000));
        }
        double startC = session.latestMaxTemperatureC();
        double maxS = limitNs / 1e9;
        if (Double.isNaN(startC)) {
            return new Result(settings.targetC(), maxS, (System.nanoTime() - start) / 1e9, Double.NaN, Double.NaN, false,
                    "no temperature sensor readable: did not wait");
        }
        double now = startC;
        while (!(now < settings.targetC()) && System.nanoTime() - start < limitNs) {
            sleep(Math.min(pollNs, Math.max(1, limitNs - (System.nanoTime() - start))));
            double t = session.latestMaxTemperatureC();
            if (!Double.isNaN(t)) {
                now = t;
            }
        }
        double waited = (System.nanoTime() - start) / 1e9;
        boolean reached = now < settings.targetC();
        String note = String.format(Locale.ROOT, reached
                        ? "cooled from %.1f C to %.1f C (below %.1f C) in %.1f s"
                        : "still %.1f C -> %.1f C, not below %.1f C after %.1f s (time limit)",
                startC, now, settings.targetC(), waited);
        return new Result(settings.targetC(), maxS, waited, startC, now, reached, note);
    }

    private static void sleep(long nanos) {
        LockSupport.parkNanos(nanos);
    }
}
