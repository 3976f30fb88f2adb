package dev.edgebench.telemetry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** A sampler whose channels answer a function of the sample number; optionally throws at given samples. */
final class ScriptedSampler implements Sampler {
    private final List<Channel> channels;
    private final PowerSource power;
    private final IntFunction<double[]> values;
    private final AtomicInteger samples = new AtomicInteger();
    private final ErrorTally errors = new ErrorTally();
    volatile int throwAtSample = -1;
    volatile boolean closed;
    volatile Thread samplingThread;

    ScriptedSampler(List<Channel> channels, PowerSource power, IntFunction<double[]> values) {
        this.channels = List.copyOf(channels);
        this.power = power;
        this.values = values;
    }

    /** Constant board power in mW and a temperature that falls by 5 C each sample from {@code startC}. */
    static ScriptedSampler coolingBoard(double powerMw, double startC) {
        return new ScriptedSampler(List.of(new Channel("p", Quantity.POWER_MW), new Channel("t", Quantity.TEMPERATURE_C)),
                new PowerSource(PowerSource.Scope.BOARD, "scripted", List.of(PowerDomain.powerOnly("p", 0))),
                n -> new double[]{powerMw, startC - 5.0 * n});
    }

    int samples() {
        return samples.get();
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public List<Channel> channels() {
        return channels;
    }

    @Override
    public PowerSource powerSource() {
        return power;
    }

    @Override
    public Map<String, String> facts() {
        return Map.of("kind", "scripted");
    }

    @Override
    public List<String> notes() {
        return List.of();
    }

    @Override
    public void sample(double[] out, int offset) {
        samplingThread = Thread.currentThread();
        int n = samples.getAndIncrement();
        if (n == throwAtSample) {
            throw new IllegalStateException("scripted failure at sample " + n);
        }
        double[] v = values.apply(n);
        System.arraycopy(v, 0, out, offset, v.length);
    }

    @Override
    public ErrorTally errors() {
        return errors;
    }

    @Override
    public void close() {
        closed = true;
    }
}
