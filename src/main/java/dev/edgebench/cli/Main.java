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
 *   compare  BASELINE CURRENT ...                                     statistical comparison
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
                case "forge" -> ModelCommands.forge(rest);
                case "facts" -> ModelCommands.facts(rest);
                case "catalog" -> ModelCommands.catalog(rest);
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

    static String usage() {
        return """
                edgebench: in-process JMH benchmarks of LLM inference engines

                  java -jar target/benchmarks.jar run [--preset quick|seed-2026|edge-llm|ci] [--model NAME:TYPE|FILE.gguf] [options]
                  java -jar target/benchmarks.jar forge NAME[:TYPE][@SEED] ...
                  java -jar target/benchmarks.jar facts NAME:TYPE|FILE.gguf
                  java -jar target/benchmarks.jar catalog
                  java -jar target/benchmarks.jar kernels [--model NAME:TYPE|FILE.gguf] [--phase decode|prefill] ... (--help)
                  java -jar target/benchmarks.jar [JMH options]      (plain JMH: -l lists benchmarks, -h its help)
                """;
    }
}
