package dev.edgebench.telemetry;

/**
 * What a telemetry channel measures, and the one unit every sampler reports it in. Samplers
 * convert at the source (sysfs m°C, Hz and kHz, NVML °C and mW) so that everything downstream
 * works in these units only.
 */
public enum Quantity {
    /** Electrical power, milliwatts. */
    POWER_MW("mW"),
    /** A cumulative energy counter, millijoules; it may reset or wrap (see {@link PowerDomain}). */
    ENERGY_COUNTER_MJ("mJ"),
    /** Temperature, degrees Celsius. */
    TEMPERATURE_C("C"),
    /** GPU core (SM / GPC) clock, MHz. */
    GPU_CLOCK_MHZ("MHz"),
    /** GPU memory clock, MHz. */
    GPU_MEMORY_CLOCK_MHZ("MHz"),
    /** CPU core clock, MHz. */
    CPU_CLOCK_MHZ("MHz"),
    /** GPU load, percent of the sampling interval the GPU was busy. */
    GPU_LOAD_PERCENT("%"),
    /** GPU memory in use, bytes. */
    GPU_MEMORY_USED_BYTES("B"),
    /** Resident set size of this process, bytes. */
    PROCESS_RSS_BYTES("B"),
    /** Peak resident set size of this process since it started (VmHWM), bytes. */
    PROCESS_RSS_PEAK_BYTES("B"),
    /** Clock-event (throttle) reasons seen in this sample: a bitmask of {@link ThrottleReason} bits. */
    CLOCK_EVENT_REASONS("bitmask");

    private final String unit;

    Quantity(String unit) {
        this.unit = unit;
    }

    /** @return the unit every value of this quantity is reported in */
    public String unit() {
        return unit;
    }
}
