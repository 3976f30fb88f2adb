package dev.edgebench.cli;

import dev.edgebench.compare.BadInputException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Runs one picocli command with edgebench's exit-code rule: 0 ok, 1 a regression or a failed
 * measurement (what the command returns), 2 bad input. Bad input is anything picocli rejects
 * (unknown option, a value that does not convert, a missing parameter: picocli names the option)
 * and any {@link IllegalArgumentException} or {@link BadInputException} a command throws before
 * or during its work; the message is printed as {@code <command>: <message>} with no stack trace.
 */
public final class Cli {
    /** Exit code for bad input, shared by every command. */
    public static final int BAD_INPUT = 2;

    private Cli() {
    }

    /** @return a command line for {@code command} with edgebench's handlers and conventions */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOverwrittenOptionsAllowed(false);
        cl.setParameterExceptionHandler(Cli::badParameter);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof BadInputException) {
                line.getErr().println(name(line) + ": " + ex.getMessage());
                return BAD_INPUT;
            }
            throw ex;
        });
        return cl;
    }

    /** Parses and runs {@code command} with {@code args}, output to System.out and System.err. */
    public static int execute(Object command, String... args) {
        CommandLine cl = commandLine(command);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int badParameter(CommandLine.ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        PrintWriter err = line.getErr();
        err.println(name(line) + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("see `" + line.getCommandSpec().qualifiedName() + " --help`");
        return BAD_INPUT;
    }

    private static String name(CommandLine line) {
        return line.getCommandSpec().qualifiedName().replaceFirst("^edgebench ", "").toLowerCase(Locale.ROOT);
    }
}
