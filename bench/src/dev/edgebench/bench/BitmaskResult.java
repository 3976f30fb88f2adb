package dev.edgebench.bench;

import dev.edgebench.telemetry.ThrottleReason;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Aggregator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;

import java.util.Collection;

/**
 * A secondary result holding a bitmask of {@link ThrottleReason} bits, aggregated over threads,
 * iterations and forks by OR (JMH's own policies, average/sum/min/max, would garble a mask). The
 * score is the mask as a number; the extended info names the bits.
 */
public final class BitmaskResult extends Result<BitmaskResult> {
    private static final long serialVersionUID = 1L;

    private final long mask;

    /**
     * @param label the result's name, e.g. {@code throttle.reasons}
     * @param mask  the bits
     */
    public BitmaskResult(String label, long mask) {
        super(ResultRole.SECONDARY, label, of(mask), "bitmask", AggregationPolicy.MAX);
        this.mask = mask;
    }

    /** @return the bits */
    public long mask() {
        return mask;
    }

    private static BitmaskResult or(Collection<BitmaskResult> results) {
        long m = 0;
        String label = null;
        for (BitmaskResult r : results) {
            m |= r.mask;
            label = r.label;
        }
        return new BitmaskResult(label, m);
    }

    @Override
    protected Aggregator<BitmaskResult> getThreadAggregator() {
        return BitmaskResult::or;
    }

    @Override
    protected Aggregator<BitmaskResult> getIterationAggregator() {
        return BitmaskResult::or;
    }

    @Override
    protected BitmaskResult getZeroResult() {
        return new BitmaskResult(label, 0);
    }

    @Override
    public String extendedInfo() {
        return "  " + label + ": 0x" + Long.toHexString(mask) + " " + ThrottleReason.names(mask) + "\n";
    }
}
