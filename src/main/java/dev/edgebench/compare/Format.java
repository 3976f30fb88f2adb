package dev.edgebench.compare;

import dev.edgebench.results.Summary;

import dev.edgebench.results.Stats;

import java.util.Locale;

/** Number formatting shared by the printers. */
final class Format {
    private Format() {
    }

    /** About 4 significant figures, thousands separated ({@link Summary#fmt}, the run summary's rule). */
    static String num(double d) {
        return Summary.fmt(Double.isNaN(d) ? null : d);
    }

    /** mean ± half-width of the Student-t 95% CI */
    static String meanCi(Stats s) {
        if (s == null) {
            return "—";
        }
        return Double.isNaN(s.ciLow()) ? num(s.mean()) : num(s.mean()) + " ± " + num(s.ciHalfWidth());
    }

    /** A ratio as a signed percentage change: 0.93 → −7.0% */
    static String change(double ratio) {
        if (Double.isNaN(ratio)) {
            return "—";
        }
        double p = (ratio - 1) * 100;
        return String.format(Locale.ROOT, "%s%.1f%%", p < 0 ? "−" : "+", Math.abs(p));
    }

    /** −7.0% (−9.1% … −5.2%) */
    static String changeCi(Bootstrap.Interval ci) {
        if (ci == null || Double.isNaN(ci.estimate())) {
            return "—";
        }
        return ci.hasCi() ? change(ci.estimate()) + " (" + change(ci.low()) + " … " + change(ci.high()) + ")"
                : change(ci.estimate()) + " (no CI)";
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100).replace(".0%", "%");
    }

    static String pctExact(double fraction) {
        String s = String.format(Locale.ROOT, "%.1f", fraction * 100);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
    }

    static String percentile(double p) {
        return p == Math.rint(p) ? "p" + (long) p : "p" + p;
    }
}
