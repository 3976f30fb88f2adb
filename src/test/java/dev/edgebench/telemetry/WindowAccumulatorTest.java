package dev.edgebench.telemetry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowAccumulatorTest {
    private static final double NaN = Double.NaN;
    private static final long MS = 1_000_000;

    private static WindowAccumulator acc(List<Channel> channels, PowerDomain... domains) {
        PowerSource power = domains.length == 0 ? null : new PowerSource(PowerSource.Scope.GPU, "test", List.of(domains));
        return new WindowAccumulator(channels, power, List.of("a"));
    }

    private static void add(WindowAccumulator a, long tMs, double... row) {
        a.add(tMs * MS, row, 10_000, new long[]{10_000});
    }

    @Test
    void powerIsIntegratedWithTheTrapezoidalRule() {
        WindowAccumulator a = acc(List.of(new Channel("p", Quantity.POWER_MW)), PowerDomain.powerOnly("board", 0));
        add(a, 0, 1000);
        add(a, 100, 2000);
        add(a, 200, 2000);
        add(a, 300, 4000);
        WindowSummary w = a.summary();
        // (1000+2000)/2*0.1 + (2000+2000)/2*0.1 + (2000+4000)/2*0.1 = 150 + 200 + 300 mJ
        assertEquals(0.650, w.energyJ(), 1e-12);
        assertEquals(0.650, w.energyFromPowerJ(), 1e-12, "without a counter the cross-check is the energy itself");
        assertEquals(WindowSummary.EnergySource.INTEGRATED, w.energySource());
        assertEquals(0.0, w.energyFromCounter());
        assertEquals(0.3, w.durationS(), 1e-12);
        assertEquals(0.650 / 0.3, w.powerAvgW(), 1e-12);
        assertEquals(4.0, w.powerPeakW(), 1e-12);
        assertEquals(4, w.samples());
        assertEquals(10.0, w.samplerWallMeanUs(), 1e-12);
        assertTrue(Double.isNaN(w.samplerCpuMeanUs()), "no thread CPU time given");
        a.threadCpuNs(16_000);
        assertEquals(4.0, a.summary().samplerCpuMeanUs(), 1e-12, "16 µs over 4 samples");
    }

    @Test
    void unevenIntervalsAreWeightedByTheirLength() {
        WindowAccumulator a = acc(List.of(new Channel("p", Quantity.POWER_MW)), PowerDomain.powerOnly("board", 0));
        add(a, 0, 5000);
        add(a, 10, 5000);
        add(a, 250, 1000);
        // 5 W for 10 ms = 50 mJ; (5000+1000)/2 mW for 240 ms = 720 mJ
        assertEquals(0.770, a.summary().energyJ(), 1e-12);
    }

    @Test
    void theCounterIsUsedWhereItExistsAndAResetFallsBackToIntegration() {
        List<Channel> ch = List.of(new Channel("p", Quantity.POWER_MW), new Channel("e", Quantity.ENERGY_COUNTER_MJ));
        WindowAccumulator a = acc(ch, new PowerDomain("gpu0", 0, 1, 0));
        add(a, 0, 350_000, 1_000_000);
        add(a, 100, 360_000, 1_035_000);
        add(a, 200, 370_000, 500);        // the driver reloaded: counter restarted
        add(a, 300, 380_000, 37_500);
        WindowSummary w = a.summary();
        // 35000 (counter) + (360000+370000)/2*0.1 = 36500 (integrated) + 37000 (counter) mJ
        assertEquals(108.5, w.energyJ(), 1e-9);
        assertEquals(WindowSummary.EnergySource.COUNTER_AND_INTEGRATED, w.energySource());
        assertEquals(1, w.counterResets());
        assertEquals(2.0 / 3, w.energyFromCounter(), 1e-12);
        assertEquals(380.0, w.powerPeakW(), 1e-9);
        // the cross-check integrates power alone: (350+360)/2 + (360+370)/2 + (370+380)/2 W x 0.1 s
        assertEquals((355_000 + 365_000 + 375_000) * 0.1 / 1000, w.energyFromPowerJ(), 1e-9);
    }

    @Test
    void aCounterWithARangeWrapsInsteadOfResetting() {
        List<Channel> ch = List.of(new Channel("p", Quantity.POWER_MW), new Channel("e", Quantity.ENERGY_COUNTER_MJ));
        WindowAccumulator a = acc(ch, new PowerDomain("package-0", 0, 1, 1000));
        add(a, 0, NaN, 900);
        add(a, 100, 2000, 100);   // wrapped at 1000 mJ: 200 mJ
        add(a, 200, 2000, 300);   // 200 mJ
        WindowSummary w = a.summary();
        assertEquals(0.4, w.energyJ(), 1e-12);
        assertEquals(WindowSummary.EnergySource.COUNTER, w.energySource());
        assertEquals(1, w.counterWraps());
        assertEquals(0, w.counterResets());
        assertEquals(2.0, w.powerAvgW(), 1e-12);
    }

    @Test
    void domainsAddUpAndMissingReadingsAreCounted() {
        List<Channel> ch = List.of(new Channel("gpu", Quantity.POWER_MW), new Channel("cpu", Quantity.POWER_MW));
        WindowAccumulator a = acc(ch, PowerDomain.powerOnly("gpu", 0), PowerDomain.powerOnly("cpu", 1));
        add(a, 0, 1000, 500);
        add(a, 100, 1000, NaN);
        add(a, 200, 1000, 500);
        WindowSummary w = a.summary();
        // gpu: 100 + 100 mJ; cpu: both intervals touch the missing reading
        assertEquals(0.2, w.energyJ(), 1e-12);
        assertEquals(2, w.intervalsWithoutReading());
        assertEquals(1.5, w.powerPeakW(), 1e-12, "peak only over samples where every domain was read");
    }

    @Test
    void aGapIsFilledAtTheMeanPowerOfTheRest() {
        WindowAccumulator a = acc(List.of(new Channel("p", Quantity.POWER_MW)), PowerDomain.powerOnly("board", 0));
        add(a, 0, 1000);
        add(a, 100, NaN);
        add(a, 200, 1000);
        add(a, 300, 3000);
        WindowSummary w = a.summary();
        // only 200..300 ms was read: (1000+3000)/2 mW = 2 W; filled over 0.3 s
        assertEquals(2, w.intervalsWithoutReading());
        assertEquals(2.0, w.powerAvgW(), 1e-12);
        assertEquals(0.6, w.energyJ(), 1e-12);
    }

    @Test
    void temperatureClocksReasonsAndMemoryAreSummarised() {
        List<Channel> ch = List.of(new Channel("t1", Quantity.TEMPERATURE_C), new Channel("t2", Quantity.TEMPERATURE_C),
                new Channel("sm", Quantity.GPU_CLOCK_MHZ), new Channel("r", Quantity.CLOCK_EVENT_REASONS),
                new Channel("m0", Quantity.GPU_MEMORY_USED_BYTES), new Channel("m1", Quantity.GPU_MEMORY_USED_BYTES),
                new Channel("rss", Quantity.PROCESS_RSS_PEAK_BYTES));
        WindowAccumulator a = acc(ch);
        add(a, 0, 40, 50, 1980, ThrottleReason.GPU_IDLE.bit(), 100, 200, 1e6);
        add(a, 100, 41, 66.5, 1410, ThrottleReason.SW_THERMAL_SLOWDOWN.bit(), 150, 200, 2e6);
        add(a, 200, NaN, 60, 1755, 0, 100, 100, 2e6);
        WindowSummary w = a.summary();
        assertEquals(66.5, w.tempMaxC());
        assertEquals(1410, w.gpuClockMinMhz());
        assertEquals(1980, w.gpuClockMaxMhz());
        assertEquals(ThrottleReason.GPU_IDLE.bit() | ThrottleReason.SW_THERMAL_SLOWDOWN.bit(), w.clockEventReasons());
        assertTrue(w.throttled());
        assertEquals(1, w.throttledSamples());
        assertEquals(350, w.gpuMemoryPeakBytes());
        assertEquals(2e6, w.rssPeakBytes());
        assertTrue(Double.isNaN(w.energyJ()));
        assertEquals(WindowSummary.EnergySource.NONE, w.energySource());
        WindowSummary.ChannelStats t1 = w.channels().get(0);
        assertEquals(2, t1.samples());
        assertEquals(40.5, t1.mean(), 1e-12);
    }

    @Test
    void idleIsNotThrottling() {
        assertFalse(ThrottleReason.isThrottling(ThrottleReason.GPU_IDLE.bit() | ThrottleReason.APPLICATIONS_CLOCKS_SETTING.bit()));
        assertEquals(List.of("GPU_IDLE", "SW_POWER_CAP", "UNKNOWN_0x200"),
                ThrottleReason.names(ThrottleReason.GPU_IDLE.bit() | ThrottleReason.SW_POWER_CAP.bit() | 0x200));
    }

    @Test
    void throttleBitsAreNvmlsValues() {
        // nvml.h: GpuIdle 0x1, SwPowerCap 0x4, HwSlowdown 0x8, SwThermal 0x20, HwThermal 0x40, PowerBrake 0x80
        assertEquals(0x1, ThrottleReason.GPU_IDLE.bit());
        assertEquals(0x4, ThrottleReason.SW_POWER_CAP.bit());
        assertEquals(0x8, ThrottleReason.HW_SLOWDOWN.bit());
        assertEquals(0x20, ThrottleReason.SW_THERMAL_SLOWDOWN.bit());
        assertEquals(0x40, ThrottleReason.HW_THERMAL_SLOWDOWN.bit());
        assertEquals(0x80, ThrottleReason.HW_POWER_BRAKE_SLOWDOWN.bit());
        assertEquals(0x4 | 0x8 | 0x20 | 0x40 | 0x80 | (1L << 32) | (1L << 33), ThrottleReason.THROTTLING_MASK);
    }
}
