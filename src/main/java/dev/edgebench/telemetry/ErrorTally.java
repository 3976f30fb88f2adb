package dev.edgebench.telemetry;

/**
 * Counts a sampler's read failures and keeps the first and the latest message, so a failure at
 * every sample (every 100 ms) costs a counter increment rather than a log line.
 *
 * <p>Written by the sampling thread; read by others after the sampler stopped or through the
 * volatile count (messages may then lag by one failure).
 */
public final class ErrorTally {
    private volatile long count;
    private volatile String first;
    private volatile String latest;

    /**
     * Records one failure.
     *
     * @param what the file or call that failed, e.g. {@code /sys/class/thermal/thermal_zone0/temp}
     * @param e    the failure
     */
    public void record(String what, Throwable e) {
        record(what + ": " + describe(e));
    }

    /** Records one failure described by a message. */
    public void record(String message) {
        if (first == null) {
            first = message;
        }
        latest = message;
        count = count + 1;
    }

    /** @return failures recorded so far */
    public long count() {
        return count;
    }

    /** @return the first failure's message, or null when none */
    public String first() {
        return first;
    }

    /** @return the latest failure's message, or null when none */
    public String latest() {
        return latest;
    }

    /** @return a short description of a failure: its class where the message alone is unclear, and the message */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        String simple = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        return m == null || m.isBlank() ? simple : (e instanceof java.io.IOException ? m : simple + ": " + m);
    }
}
