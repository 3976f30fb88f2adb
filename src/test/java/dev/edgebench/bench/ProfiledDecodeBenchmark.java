package dev.edgebench.bench;

import dev.edgebench.latency.WorkCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/** A stand-in decode step for {@link TelemetryProfilerTest}: burns some CPU and counts one generated token. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProfiledDecodeBenchmark {
    @Benchmark
    public void decodeStep() {
        Blackhole.consumeCPU(20_000);
        WorkCounter.addGenerated(1);
    }
}
