package dev.edgebench.cli;

import dev.edgebench.compare.ResultSet;
import dev.edgebench.engine.llama.StepStreamingEngine;
import dev.edgebench.run.BenchmarkId;
import dev.edgebench.run.RequestLoad;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine-vs-engine form of {@code ab} ({@code --engine-a SPEC --engine-b SPEC}): which pair of
 * options was given, each side's name and engine entry, and matching the sides' benchmarks by every
 * parameter but the engine. Stateless.
 */
final class AbEngines {
    private AbEngines() {
    }

    /**
     * @return true for two engines, false for two builds
     * @throws IllegalArgumentException when the pairs are mixed or incomplete, or an engine is the step engine
     */
    static boolean check(Path dirA, Path dirB, String engineA, String engineB, RunArgs run) {
        boolean engines = engineA != null || engineB != null;
        if (!engines) {
            if (dirA == null) {
                throw new IllegalArgumentException("Missing required option: '--a=BUILD' (or --engine-a SPEC --engine-b SPEC)");
            }
            if (dirB == null) {
                throw new IllegalArgumentException("Missing required option: '--b=BUILD'");
            }
            return false;
        }
        if (dirA != null || dirB != null) {
            throw new IllegalArgumentException("--a/--b (two builds) and --engine-a/--engine-b (two engines) are alternatives: give"
                    + " one pair");
        }
        if (engineA == null || engineB == null) {
            throw new IllegalArgumentException("--engine-a and --engine-b go together: missing " + (engineA == null ? "--engine-a"
                    : "--engine-b"));
        }
        if (!RequestLoad.STEP_ENGINE.equals(run.engine)) {
            throw new IllegalArgumentException("--engine is not an option of ab with --engine-a/--engine-b");
        }
        for (String[] e : new String[][]{{"--engine-a", engineA}, {"--engine-b", engineB}}) {
            if (e[1].isBlank()) {
                throw new IllegalArgumentException(e[0] + " must name an engine (llama, llama-batched, trtllm:<engine dir>, ...)");
            }
        }
        if (spec(engineA).equals(spec(engineB))) {
            throw new IllegalArgumentException("--engine-a and --engine-b are the same engine (" + engineA + "); for an A/A run give"
                    + " two builds with --a/--b");
        }
        return true;
    }

    /**
     * @return the streaming engine a side's specification names: {@code llama}, the step engine, runs the
     * requests workload as {@code llama-step} (one request at a time); others as given
     */
    static String spec(String given) {
        String s = given.trim();
        return RequestLoad.STEP_ENGINE.equals(s) ? StepStreamingEngine.SPEC : s;
    }

    /** @return a folder name for a side, from its engine specification */
    static String name(String spec) {
        String n = spec.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("_+", "_").replaceAll("^[^A-Za-z0-9]+", "");
        return n.isEmpty() ? "engine" : n.length() > 64 ? n.substring(0, 64) : n;
    }

    /** @return the same results keyed by their id without the engine parameter */
    static ResultSet withoutEngine(ResultSet r) {
        Map<String, ResultSet.Bench> out = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> means = new LinkedHashMap<>();
        for (ResultSet.Bench b : r.benchmarks().values()) {
            Map<String, String> params = new LinkedHashMap<>(b.params());
            params.remove("engine");
            String id = BenchmarkId.of(b.id().substring(0, b.id().indexOf('[')), params);
            out.put(id, new ResultSet.Bench(id, b.kind(), params, b.status(), b.error(), b.primary(), b.metrics(), b.latency(),
                    b.telemetry()));
            if (r.runMeans().containsKey(b.id())) {
                means.put(id, r.runMeans().get(b.id()));
            }
        }
        return new ResultSet(r.source(), r.format(), r.label(), r.suite(), r.run(), out, r.warnings(), r.runs(), means);
    }
}
