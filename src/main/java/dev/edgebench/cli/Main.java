package dev.edgebench.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The benchmarks jar's entry point: edgebench's commands, and JMH's own command line for JMH
 * users. The rule: {@code jmh ARGS} always goes to JMH; so does a first argument that starts with
 * {@code -} and is not one of edgebench's own ({@code -h}, {@code --help}, {@code -V},
 * {@code --version}), e.g. {@code -l}, {@code -lp}, {@code -prof ...}, and a first argument that
 * is a regular expression matching a benchmark in the jar ({@code DecodeBenchmark}). Anything else
 * that is not a command, and no command at all, prints the usage (with "did you mean") and exits 2:
 * a typo never starts measuring.
 */
@Command(name = "edgebench", mixinStandardHelpOptions = true, version = "edgebench 0.1.0",
        description = "In-process JMH benchmarks of LLM inference engines.",
        subcommands = {RunCommand.class, AbCommand.class, ParityCommand.class, KernelCommand.class, CompareCommand.class,
                BaselineCommand.class, HistoryCommand.class, ServerCostCommand.class, TelemetryCommand.class, ForgeCommand.class, FactsCommand.class,
                CatalogCommand.class, ProfileCommand.class,
                Main.JmhCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Plain JMH: `jmh [JMH options]`, or JMH options / a benchmark regex as the first argument (-l lists the"
                + " benchmarks).", "Exit codes: 0 ok, 1 a regression or a failed measurement, 2 bad input."})
public final class Main implements Runnable {
    private static final Set<String> OWN_FLAGS = Set.of("-h", "--help", "-V", "--version");

    @Override
    public void run() {
        // no command: usage and bad input
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
    }

    public static void main(String[] args) throws Exception {
        if (goesToJmh(args)) {
            org.openjdk.jmh.Main.main(args.length > 0 && args[0].equals("jmh") ? Arrays.copyOfRange(args, 1, args.length) : args);
            return;
        }
        System.exit(execute(args));
    }

    /** Runs edgebench's command line; the exit code follows {@link Cli}'s rule. */
    static int execute(String... args) {
        CommandLine cl = Cli.commandLine(new Main());
        if (args.length == 0) {
            cl.usage(System.err);
            System.err.println("edgebench: a command is required");
            return Cli.BAD_INPUT;
        }
        java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
        java.io.PrintWriter err = new java.io.PrintWriter(System.err, true);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            // autoflush covers println only: a command's print of a whole table must not die in the buffer at exit
            out.flush();
            err.flush();
        }
    }

    /** @return whether the arguments are JMH's (see the class comment for the rule) */
    static boolean goesToJmh(String[] args) {
        if (args.length == 0) {
            return false;
        }
        String first = args[0];
        if (first.equals("jmh")) {
            return true;
        }
        if (new CommandLine(new Main()).getSubcommands().containsKey(first)) {
            return false;
        }
        if (first.startsWith("-")) {
            return !OWN_FLAGS.contains(first);
        }
        return matchesBenchmark(first);
    }

    /** @return whether {@code regex} finds a benchmark of the jar, as JMH's include does */
    static boolean matchesBenchmark(String regex) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return false;
        }
        for (String b : benchmarks()) {
            if (p.matcher(b).find()) {
                return true;
            }
        }
        return false;
    }

    /** @return the benchmark methods on the class path (JMH's generated lists) */
    static List<String> benchmarks() {
        List<String> out = new ArrayList<>();
        try {
            var lists = Main.class.getClassLoader().getResources("META-INF/BenchmarkList");
            while (lists.hasMoreElements()) {
                try (InputStream in = lists.nextElement().openStream()) {
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    String line;
                    while ((line = r.readLine()) != null) {
                        // "JMH S <n> <user class> S <n> <generated class> S <n> <method> ...": JMH's name is class.method
                        String[] f = line.split(" ");
                        if (f.length > 9 && f[0].equals("JMH")) {
                            out.add(f[3] + "." + f[9]);
                        }
                    }
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** {@code jmh [JMH options]}: JMH's own command line (handled before parsing; here for the usage). */
    @Command(name = "jmh", description = "JMH's own command line, unchanged (e.g. `jmh -l`, `jmh DecodeBenchmark -prof gc`).")
    static final class JmhCommand implements Runnable {
        @CommandLine.Parameters(paramLabel = "JMH options")
        List<String> options = new ArrayList<>();

        @Override
        public void run() {
            try {
                org.openjdk.jmh.Main.main(options.toArray(String[]::new));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
