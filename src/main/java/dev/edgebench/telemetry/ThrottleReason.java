package dev.edgebench.telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * The bits of a {@link Quantity#CLOCK_EVENT_REASONS} value. The low bits are NVML's clock-event
 * reasons, with the values of {@code nvml.h} (written here so that reading a result needs no
 * native bindings; {@code ThrottleReasonBitsTest} holds them equal to the generated bindings'); bits 32 and up are edgebench's own, for machines where NVML reports nothing.
 *
 * <p>Only reasons that mean "the clock was held below what the work asked for" count as
 * throttling; idle, application clocks, sync boost and display clock are informational.
 */
public enum ThrottleReason {
    GPU_IDLE(0x1L, false),
    APPLICATIONS_CLOCKS_SETTING(0x2L, false),
    SW_POWER_CAP(0x4L, true),
    HW_SLOWDOWN(0x8L, true),
    SYNC_BOOST(0x10L, false),
    SW_THERMAL_SLOWDOWN(0x20L, true),
    HW_THERMAL_SLOWDOWN(0x40L, true),
    HW_POWER_BRAKE_SLOWDOWN(0x80L, true),
    DISPLAY_CLOCK_SETTING(0x100L, false),
    /**
     * Jetson (no NVML reasons there): the GPU devfreq clock was held below its maximum, either
     * because {@code max_freq} fell below its value at the start of the run (a thermal or power
     * cap), or because the clock stayed under 85% of that maximum while the GPU was at least 80%
     * busy or the clocks were locked. A heuristic; see {@code JetsonSampler}.
     */
    JETSON_GPU_CLOCK_CAPPED(1L << 32, true),
    /** Linux x86 {@code thermal_throttle/package_throttle_count} of a CPU package increased. */
    CPU_PACKAGE_THERMAL_THROTTLE(1L << 33, true);

    /** The bits that mean throttling. */
    public static final long THROTTLING_MASK;

    static {
        long m = 0;
        for (ThrottleReason r : values()) {
            if (r.throttling) {
                m |= r.bit;
            }
        }
        THROTTLING_MASK = m;
    }

    private final long bit;
    private final boolean throttling;

    ThrottleReason(long bit, boolean throttling) {
        this.bit = bit;
        this.throttling = throttling;
    }

    /** @return this reason's bit */
    public long bit() {
        return bit;
    }

    /** @return whether this reason means the clock was held down (as opposed to informational) */
    public boolean throttling() {
        return throttling;
    }

    /**
     * Names the bits of a mask, in bit order; bits no constant knows become {@code UNKNOWN_0x...}.
     *
     * @param mask a {@link Quantity#CLOCK_EVENT_REASONS} value
     * @return one name per set bit
     */
    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        long known = 0;
        for (ThrottleReason r : values()) {
            known |= r.bit;
            if ((mask & r.bit) != 0) {
                out.add(r.name());
            }
        }
        long unknown = mask & ~known;
        while (unknown != 0) {
            long low = Long.lowestOneBit(unknown);
            out.add("UNKNOWN_0x" + Long.toHexString(low));
            unknown &= ~low;
        }
        return out;
    }

    /** @return whether any set bit of the mask means throttling */
    public static boolean isThrottling(long mask) {
        return (mask & THROTTLING_MASK) != 0;
    }
}
