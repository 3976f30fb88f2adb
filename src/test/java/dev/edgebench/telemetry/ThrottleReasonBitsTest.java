package dev.edgebench.telemetry;

import dev.edgebench.bindings.nvml.Nvml;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The NVML clock-event bits written in {@link ThrottleReason} are nvml.h's, as the generated bindings carry them. */
class ThrottleReasonBitsTest {
    @Test
    void bitsEqualNvmlH() {
        assertEquals(Nvml.nvmlClocksEventReasonGpuIdle(), ThrottleReason.GPU_IDLE.bit());
        assertEquals(Nvml.nvmlClocksEventReasonApplicationsClocksSetting(), ThrottleReason.APPLICATIONS_CLOCKS_SETTING.bit());
        assertEquals(Nvml.nvmlClocksEventReasonSwPowerCap(), ThrottleReason.SW_POWER_CAP.bit());
        assertEquals(Nvml.nvmlClocksThrottleReasonHwSlowdown(), ThrottleReason.HW_SLOWDOWN.bit());
        assertEquals(Nvml.nvmlClocksEventReasonSyncBoost(), ThrottleReason.SYNC_BOOST.bit());
        assertEquals(Nvml.nvmlClocksEventReasonSwThermalSlowdown(), ThrottleReason.SW_THERMAL_SLOWDOWN.bit());
        assertEquals(Nvml.nvmlClocksThrottleReasonHwThermalSlowdown(), ThrottleReason.HW_THERMAL_SLOWDOWN.bit());
        assertEquals(Nvml.nvmlClocksThrottleReasonHwPowerBrakeSlowdown(), ThrottleReason.HW_POWER_BRAKE_SLOWDOWN.bit());
        assertEquals(Nvml.nvmlClocksEventReasonDisplayClockSetting(), ThrottleReason.DISPLAY_CLOCK_SETTING.bit());
    }
}
