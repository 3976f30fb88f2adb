package dev.edgebench.cli;

import java.util.Arrays;
import java.util.Locale;

/**
 * The benchmarks jar's entry point. Its own commands come first; anything else goes to JMH
 * unchanged, so {@code java -jar benchmarks.jar [JMH options]} keeps every JMH option.
 *
 * <pre>
 *   run      [--preset quick|seed-2026|edge-llm|ci] [--model M] ...   presets, run folder, summary
 *   forge    NAME[:TYPE][@SEED] ...                                   make synthetic models
 *   facts    MODEL                                                    a model's size and roofline facts
 *   catalog                                                           the named architectures
 *   kernels  [--model M] ...                                          per-kernel suite, table by share
 *   compare  BASELINE CURRENT ...                                     statistical comparison, exit 1 on regression
 *   baseline update RUN | show [PLATFORM]                             stored baselines per platform
 *   ab       --a BUILD --b BUILD [run options]                        interleaved A/B of two engine builds, then compare
 *   (anything else)                                                   JMH's own command line
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            String cmd = args[0].toLowerCase(Locale.ROOT);
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            Integer rc = switch (cmd) {
                case "run" -> rest.length > 0 && (rest[0].equals("--help") || rest[0].equals("-h")) ? printRunHelp() : RunCommand.run(rest);
                case "parity" -> ParityCommand.run(rest);
                case "forge" -> ModelCommands.forge(rest);
                case "facts" -> ModelCommands.facts(rest);
                case "catalog" -> ModelCommands.catalog(rest);
                case "telemetry" -> TelemetryCommand.run(rest);
                case "compare" -> CompareCommand.run(rest);
                case "baseline" -> BaselineCommand.run(rest);
                case "ab" -> AbCommand.run(rest);
                case "kernels" -> KernelCommand.run(rest);
                case "help", "--help", "-help" -> {
                    System.out.println(usage());
                    yield 0;
                }
                default -> null;
            };
            if (rc != null) {
                System.exit(rc);
            }
        }
        org.openjdk.jmh.Main.main(args);
    }

    static int printRunHelp() {
        System.out.println("""
                run [options] [-- JMH options]
                  --preset NAME        quick (default) | seed-2026 | edge-llm | ci
                  --model M[,M...]     catalog NAME:TYPE[@SEED] (e.g. Llama-3.2-1B:Q4_0) or a .gguf file; repeatable
                  --benchmarks LIST    prefill,decode,generation
                  --batch LIST         parallel sequences, e.g. 1,4,8
                  --prompt N           prompt tokens          --gen N      generated tokens
                  --depth LIST         decode context depths (prefilled untimed)
                  --warmup N  --samples N  --forks N           protocol overrides
                  --threads N          CPU threads (0 = all)  --ngl auto|-1|N  GPU layers
                  --fa auto|on|off     flash attention        --cache-type T   KV cache type (f16, q8_0, ...)
                  --ubatch N           physical batch         --ctx N          fail if a workload needs more context
                  --prefill-repeat N   prefills per prefill sample, back to back (default auto: about 100 ms worth)
                  --sample             feed back greedy tokens (sampling time counts)
                  --no-telemetry       do not sample power, clocks and temperature (-Dedgebench.telemetry.periodMs=P sets the period;
                                       -Dedgebench.cooldown.tempC=T -Dedgebench.cooldown.maxSeconds=S waits for the machine to cool)
                  --roofline           measure the device's bandwidth and matrix rate (done by default on GPU builds;
                                       --no-roofline skips it) for the roofline section of the summary
                  --out DIR            run folders go here (default results/runs)
                  --run-id ID          name of the run folder
                  --dry-run            print the benchmark ids and exit
                """);
        return 0;
    }

    static String usage() {
        return """
                edgebench: in-process JMH benchmarks of LLM inference engines

                  java -jar target/benchmarks.jar run [--preset quick|seed-2026|edge-llm|ci] [--model NAME:TYPE|FILE.gguf] [options]
                  java -jar target/benchmarks.jar forge NAME[:TYPE][@SEED] ...
                  java -jar target/benchmarks.jar facts NAME:TYPE|FILE.gguf
                  java -jar target/benchmarks.jar catalog
                  java -jar target/benchmarks.jar telemetry [--samples N] [--period-ms P]
                  java -jar target/benchmarks.jar parity [--model M] [--rounds N] [--reps N] [--pp-reps auto|N] [--ngl auto|N]
                  java -jar target/benchmarks.jar compare BASELINE CURRENT [--threshold 5%] [--out DIR]   (exit 1: regression, 2: bad input)
                  java -jar target/benchmarks.jar baseline update RUN_FOLDER [--platform NAME] | baseline show [PLATFORM]
                  java -jar target/benchmarks.jar ab --a native/build/cpu --b native/build/cpu-avx512 [--rounds N] [run options]
                  java -jar target/benchmarks.jar kernels [--model NAME:TYPE|FILE.gguf] [--phase decode|prefill] ... (--help)
                  java -jar target/benchmarks.jar [JMH options]      (plain JMH: -l lists benchmarks, -h its help)
                """;
    }
}
