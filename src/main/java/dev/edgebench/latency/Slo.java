package dev.edgebench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Service-level objectives a request must meet to count towards goodput (vLLM's {@code --goodput},
 * AIPerf's {@code --goodput}): each limit in ns, 0 where not set. A request meets them when it
 * finished without error and every set limit holds: its TTFT, its TPOT (a one-token request has
 * none and passes that limit) and its end-to-end latency. Immutable.
 *
 * @param ttftNs most time to first token, ns (0: no limit)
 * @param tpotNs most time per output token after the first, ns (0: no limit)
 * @param e2eNs  most end-to-end latency, ns (0: no limit)
 */
public record Slo(long ttftNs, long tpotNs, long e2eNs) {
    /** No objectives: every successful request is good. */
    public static final Slo NONE = new Slo(0, 0, 0);

    public Slo {
        if (ttftNs < 0 || tpotNs < 0 || e2eNs < 0) {
            throw new IllegalArgumentException("SLO limits must not be negative");
        }
    }

    /** @return whether no limit is set */
    public boolean isNone() {
        return ttftNs == 0 && tpotNs == 0 && e2eNs == 0;
    }

    /** @return whether a request meets every objective */
    public boolean meets(RequestTimeline r) {
        if (!r.finished() || r.failed() || r.tokens() == 0) {
            return false;
        }
        if (ttftNs > 0 && RequestMetrics.ttftNs(r) > ttftNs) {
            return false;
        }
        if (tpotNs > 0 && r.tokens() > 1 && RequestMetrics.tpotNs(r) > tpotNs) {
            return false;
        }
        return e2eNs <= 0 || RequestMetrics.e2eNs(r) <= e2eNs;
    }

    /**
     * Parses {@code ttft=200ms,tpot=50ms,e2e=2s} (units ns, us, ms, s; {@code e2el} is accepted for
     * {@code e2e}, vLLM's name). Empty or "none": {@link #NONE}.
     *
     * @throws IllegalArgumentException naming {@code --slo} and the part that is wrong
     */
    public static Slo parse(String text) {
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("none")) {
            return NONE;
        }
        long ttft = 0;
        long tpot = 0;
        long e2e = 0;
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--slo: '" + p + "' is not NAME=DURATION (e.g. ttft=200ms,tpot=50ms,e2e=2s)");
            }
            String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            long ns = durationNs(p.substring(eq + 1).trim(), name);
            switch (name) {
                case "ttft" -> ttft = ns;
                case "tpot" -> tpot = ns;
                case "e2e", "e2el" -> e2e = ns;
                default -> throw new IllegalArgumentException("--slo: unknown objective '" + name + "'; known: ttft, tpot, e2e");
            }
        }
        return new Slo(ttft, tpot, e2e);
    }

    private static long durationNs(String v, String name) {
        String[][] units = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}};
        for (String[] u : units) {
            if (v.endsWith(u[0]) && (u[0].length() > 1 || !v.endsWith("ns") && !v.endsWith("us") && !v.endsWith("ms"))) {
                try {
                    double d = Double.parseDouble(v.substring(0, v.length() - u[0].length()).trim());
                    if (!(d > 0) || Double.isInfinite(d)) {
                        throw new NumberFormatException();
                    }
                    return Math.round(d * Long.parseLong(u[1]));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("--slo: " + name + "=" + v + " is not a positive duration with a unit (ns, us, ms, s),"
                + " e.g. 200ms");
    }

    /** @return the objectives as typed back, e.g. {@code ttft=200ms,tpot=50ms}; "none" when none */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (ttftNs > 0) {
            parts.add("ttft=" + ms(ttftNs));
        }
        if (tpotNs > 0) {
            parts.add("tpot=" + ms(tpotNs));
        }
        if (e2eNs > 0) {
            parts.add("e2e=" + ms(e2eNs));
        }
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }

    private static String ms(long ns) {
        double ms = ns / 1e6;
        return (ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(ms)) + "ms";
    }
}
