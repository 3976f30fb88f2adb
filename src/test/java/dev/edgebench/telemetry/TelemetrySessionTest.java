package dev.edgebench.telemetry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TelemetrySessionTest {
    private static Detection detection(Sampler s) {
        return new Detection(List.of(new Probe.Available(s), new Probe.Unavailable("nvml", "no GPU here")));
    }

    @Test
    void windowsAreSampledOnTheBackgroundThreadAndSummarised() throws Exception {
        ScriptedSampler s = ScriptedSampler.coolingBoard(5000, 80);
        try (TelemetrySession session = TelemetrySession.start(Duration.ofMillis(10), () -> detection(s))) {
            TelemetrySession.Opened o = session.opened();
            assertEquals(List.of("scripted.p", "scripted.t"), o.channels().stream().map(Channel::name).toList());
            assertEquals("scripted", o.powerSampler());
            assertEquals("scripted", o.facts().get("scripted.kind"));
            session.beginWindow();
            Thread.sleep(120);
            WindowSummary w = session.endWindow();
            assertNotSame(Thread.currentThread(), s.samplingThread);
            assertEquals("edgebench-telemetry", s.samplingThread.getName());
            assertTrue(s.samplingThread.isDaemon());
            // constant 5 W: energy is exactly 5 W times the window
            assertEquals(5.0, w.powerAvgW(), 1e-9);
            assertEquals(5.0 * w.durationS(), w.energyJ(), 1e-9);
            assertTrue(w.durationS() >= 0.12 && w.durationS() < 1.0, "duration " + w.durationS());
            assertTrue(w.samples() >= 8 && w.samples() <= 20, "about 12 samples at 10 ms in 120 ms, got " + w.samples());
            assertTrue(w.samplerWallMeanUs() > 0, "cost measured");
            assertTrue(w.samplerCpuMeanUs() >= 0, "CPU time measured");
            assertEquals(WindowSummary.EnergySource.INTEGRATED, w.energySource());
            assertThrows(IllegalStateException.class, session::endWindow, "no window open any more");
        }
        assertTrue(s.closed, "the session closes its samplers");
    }

    @Test
    void aSamplerThatThrowsBecomesNanAndTheSessionGoesOn() throws Exception {
        ScriptedSampler s = ScriptedSampler.coolingBoard(2000, 50);
        s.throwAtSample = 3;
        try (TelemetrySession session = TelemetrySession.start(Duration.ofMillis(5), () -> detection(s))) {
            session.opened();
            session.beginWindow();
            Thread.sleep(60);
            WindowSummary w = session.endWindow();
            assertEquals(1, s.errors().count());
            assertTrue(s.errors().first().contains("scripted failure at sample 3"), s.errors().first());
            assertEquals(2.0, w.powerAvgW(), 1e-9, "the failed sample's intervals are missing, not wrong");
            assertTrue(w.intervalsWithoutReading() <= 2);
        }
    }

    @Test
    void aFailingDetectionIsReportedToTheCallerNotThrownAtTheBenchmarkThread() {
        try (TelemetrySession session = TelemetrySession.start(Duration.ofMillis(5), () -> {
            throw new IllegalStateException("sysfs exploded");
        })) {
            IllegalStateException e = assertThrows(IllegalStateException.class, session::opened);
            assertTrue(e.getMessage().contains("could not open the samplers: IllegalStateException: sysfs exploded"), e.getMessage());
            assertThrows(IllegalStateException.class, session::beginWindow);
        }
    }

    @Test
    void aClosedSessionRefusesWindows() {
        ScriptedSampler s = ScriptedSampler.coolingBoard(1000, 40);
        TelemetrySession session = TelemetrySession.start(Duration.ofMillis(5), () -> detection(s));
        session.opened();
        session.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, session::beginWindow);
        assertTrue(e.getMessage().startsWith("telemetry session is closed"), e.getMessage());
    }

    @Test
    void coolDownWaitsUntilBelowTheThreshold() {
        ScriptedSampler s = ScriptedSampler.coolingBoard(1000, 80);
        try (TelemetrySession session = TelemetrySession.start(Duration.ofMillis(10), () -> detection(s))) {
            Cooldown.Result r = Cooldown.await(session, new Cooldown.Settings(62, Duration.ofSeconds(10)));
            assertTrue(r.reached(), r.note());
            assertTrue(r.endC() < 62 && r.endC() >= 55, "end " + r.endC());
            assertTrue(r.startC() >= 75, "start " + r.startC());
            assertTrue(r.waitedS() > 0.02 && r.waitedS() < 5, "waited " + r.waitedS());
            assertTrue(r.note().startsWith("cooled from"), r.note());
        }
    }

    @Test
    void coolDownStopsAtTheTimeLimit() {
        ScriptedSampler hot = new ScriptedSampler(List.of(new Channel("t", Quantity.TEMPERATURE_C)), null, n -> new double[]{90});
        try (TelemetrySession session = TelemetrySession.start(Duration.ofMillis(10), () -> detection(hot))) {
            Cooldown.Result r = Cooldown.await(session, new Cooldown.Settings(50, Duration.ofMillis(150)));
            assertFalse(r.reached());
            assertTrue(r.waitedS() >= 0.15 && r.waitedS() < 2, "waited " + r.waitedS());
            assertTrue(r.note().contains("not below 50.0 C"), r.note());
        }
    }

    @Test
    void coolDownWithoutASensorDoesNotWait() {
        ScriptedSampler noTemp = new ScriptedSampler(List.of(new Channel("p", Quantity.POWER_MW)), null, n -> new double[]{1});
        try (TelemetrySession session = TelemetrySession.start(Duration.ofMillis(10), () -> detection(noTemp))) {
            Cooldown.Result r = Cooldown.await(session, new Cooldown.Settings(50, Duration.ofSeconds(30)));
            assertFalse(r.reached());
            assertTrue(r.waitedS() < 5);
            assertEquals("no temperature sensor readable: did not wait", r.note());
        }
    }

    @Test
    void coolDownSettingsComeFromSystemProperties() {
        System.setProperty("edgebench.cooldown.tempC", "55.5");
        System.setProperty("edgebench.cooldown.maxSeconds", "90");
        try {
            assertEquals(new Cooldown.Settings(55.5, Duration.ofSeconds(90)), Cooldown.fromSystemProperties());
            System.setProperty("edgebench.cooldown.tempC", "hot");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Cooldown::fromSystemProperties);
            assertTrue(e.getMessage().contains("edgebench.cooldown.tempC"), e.getMessage());
        } finally {
            System.clearProperty("edgebench.cooldown.tempC");
            System.clearProperty("edgebench.cooldown.maxSeconds");
        }
    }
}
