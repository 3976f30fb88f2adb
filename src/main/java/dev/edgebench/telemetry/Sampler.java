package dev.edgebench.telemetry;

import java.util.List;
import java.util.Map;

/**
 * A source of telemetry readings (NVML, Jetson sysfs, thermal zones, the host), opened by its
 * {@code probe} method only when the machine has it.
 *
 * <p>Threading: a sampler is confined to the thread that opened it (NVML's scratch memory lives in
 * a confined arena); {@link TelemetrySession} opens, samples and closes every sampler on its own
 * background thread. Sampling never throws: a failed read becomes {@link Double#NaN} and is
 * counted in {@link #errors()}.
 */
public interface Sampler extends AutoCloseable {
    /** @return short name, also the prefix of its channels and facts: {@code nvml}, {@code jetson}, ... */
    String name();

    /** @return the channels, in the order {@link #sample} writes them; fixed once opened */
    List<Channel> channels();

    /** @return the power this sampler can offer for energy figures, or null when it reads none */
    PowerSource powerSource();

    /** @return facts read once when opened (device names, power mode, clocks locked), name to value */
    Map<String, String> facts();

    /** @return what this sampler found but could not read, one line each naming the file or call and why */
    List<String> notes();

    /**
     * Reads every channel once. Must not throw and must not allocate per call beyond what the
     * underlying reads need.
     *
     * @param out    receives {@code channels().size()} values from {@code offset}, in channel units;
     *               NaN where a read failed
     * @param offset first index to write
     */
    void sample(double[] out, int offset);

    /** @return the read failures seen while sampling */
    ErrorTally errors();

    /** Releases files and native resources; the sampler must not be used afterwards. Never throws. */
    @Override
    void close();
}
