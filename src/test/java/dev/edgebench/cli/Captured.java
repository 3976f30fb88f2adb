package dev.edgebench.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs a command's {@code run(String[])} with stdout and stderr captured, for the command tests. */
final class Captured {
    private Captured() {
    }

    interface Command {
        int run(String[] args) throws Exception;
    }

    record Result(int rc, String out, String err) {
    }

    static Result run(Command command, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            int rc = command.run(args);
            return new Result(rc, o.toString(), e.toString());
        } catch (RuntimeException ex) {
            throw ex;
        } catch (Exception ex) {
            throw new AssertionError("the command threw for " + List.of(args) + "; stderr: " + e, ex);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Asserts exit code 2 (bad input) and that stderr names the problem. */
    static void rejected(Command command, String expected, String... args) {
        Result r = run(command, args);
        assertEquals(2, r.rc(), () -> "exit code for " + List.of(args) + "; stderr: " + r.err());
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in: " + r.err());
    }
}
