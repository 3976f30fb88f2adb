package dev.edgebench.bench;

import org.junit.jupiter.api.Test;

import java.util.PrimitiveIterator;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code repeat=auto}: how many prefills one sample holds. */
class PrefillRepeatTest {
    private static int repeatFor(long... prefillMs) {
        PrimitiveIterator.OfLong it = LongStream.of(prefillMs).map(ms -> ms * 1_000_000L).iterator();
        return PrefillBenchmark.autoRepeat(it::nextLong);
    }

    @Test
    void aSlowFirstPrefillDoesNotDecideTheRepeatCount() {
        // the first prefill of an F16 model on CUDA pays for cuBLAS' handles and workspaces
        assertEquals(25, repeatFor(180, 4, 5, 4));
    }

    @Test
    void theFastestCalibrationPrefillFillsTheTargetSampleTime() {
        assertEquals(10, repeatFor(12, 11, 10, 13));
        assertEquals(1, repeatFor(300, 250, 260, 240), "a prefill longer than the target sample is one per sample");
    }

    @Test
    void theRepeatCountIsCappedAndAZeroTimeIsNoDivision() {
        assertEquals(PrefillBenchmark.MAX_REPEAT, repeatFor(0, 0, 0, 0));
    }
}
