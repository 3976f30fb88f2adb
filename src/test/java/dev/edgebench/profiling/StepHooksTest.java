package dev.edgebench.profiling;

import dev.edgebench.engine.StepSession;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hooks around a step session, with a session double (no engine). */
class StepHooksTest {
    /** Counts calls; each step takes a little time so that durations are not zero. */
    static final class CountingSession implements StepSession {
        int pos;
        final List<String> calls = new ArrayList<>();

        @Override public int nSeq() {
            return 2;
        }

        @Override public int nCtxPerSeq() {
            return 64;
        }

        @Override public int nVocab() {
            return 100;
        }

        @Override public int position() {
            return pos;
        }

        @Override public void prefill(int nTokens) {
            calls.add("prefill " + nTokens);
            pos += nTokens;
            spin();
        }

        @Override public void decodeStep() {
            calls.add("decode");
            pos++;
            spin();
        }

        @Override public void truncate(int depth) {
            calls.add("truncate " + depth);
            pos = depth;
        }

        @Override public void warmup() {
            calls.add("warmup");
        }

        @Override public void close() {
            calls.add("close");
        }

        private static void spin() {
            long until = System.nanoTime() + 200_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void withoutHooksTheSessionIsNotWrapped() {
        CountingSession s = new CountingSession();
        assertSame(s, StepHooks.NONE.wrap(s));
        assertEquals("x", StepHooks.NONE.load(() -> "x", 1));
    }

    @Test
    void jfrEventsCarryPhaseTokensBatchAndPosition(@TempDir Path dir) throws Exception {
        CountingSession s = new CountingSession();
        StepHooks hooks = new StepHooks(false, true);
        Path file = dir.resolve("steps.jfr");
        try (Recording r = new Recording()) {
            r.enable(StepEvent.class).withThreshold(java.time.Duration.ZERO);
            r.start();
            StepSession w = hooks.wrap(hooks.load(() -> s, 2));
            w.warmup();
            w.prefill(10);
            w.decodeStep();
            w.decodeStep();
            w.truncate(0);
            w.close();
            r.stop();
            r.dump(file);
        }
        assertEquals(List.of("warmup", "prefill 10", "decode", "decode", "truncate 0", "close"), s.calls);
        List<String> seen = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("edgebench.Step")) {
                seen.add(e.getString("phase") + " " + e.getInt("tokens") + " " + e.getInt("batch") + " " + e.getInt("position"));
                if (!e.getString("phase").equals("load") && !e.getString("phase").equals("warmup")) {
                    assertTrue(e.getDuration().toNanos() >= 200_000, e.toString());
                }
            }
        }
        assertEquals(List.of("load 0 2 0", "warmup 0 2 0", "prefill 20 2 0", "decode 2 2 10", "decode 2 2 11"), seen);
    }
}
