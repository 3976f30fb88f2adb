package dev.edgebench.telemetry;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short system command (such as {@code nvpmodel -q}) once, with a time limit. An interface
 * so tests can answer with recorded output.
 */
public interface CommandRunner {
    /**
     * Runs the command, or reports why it could not.
     *
     * @param command program name and arguments; the program is looked up on {@code PATH} and in
     *                {@code /usr/sbin}, {@code /usr/bin}, {@code /sbin}
     * @param timeout longest the command may take before it is killed
     * @return what happened; never null, never throws
     */
    Result run(List<String> command, Duration timeout);

    /**
     * The outcome of one command.
     *
     * @param exitCode the exit status, or -1 when it did not run to its end
     * @param output   standard output and error together, or "" when it did not run
     * @param failure  null when it ran and exited; else why not (not found, timed out, could not start)
     */
    record Result(int exitCode, String output, String failure) {
        /** @return a result for a command that could not be run */
        public static Result failed(String failure) {
            return new Result(-1, "", failure);
        }

        /** @return whether it ran and exited with status 0 */
        public boolean ok() {
            return failure == null && exitCode == 0;
        }

        /** @return one line saying what went wrong, for reports; "ok" when nothing did */
        public String problem() {
            if (failure != null) {
                return failure;
            }
            if (exitCode != 0) {
                String first = output.strip().lines().findFirst().orElse("");
                return "exit status " + exitCode + (first.isEmpty() ? "" : ": " + first);
            }
            return "ok";
        }
    }

    /** @return a runner that starts real processes */
    static CommandRunner system() {
        return (command, timeout) -> {
            Path exe = find(command.get(0));
            if (exe == null) {
                return Result.failed(command.get(0) + " not found on PATH or in /usr/sbin, /usr/bin, /sbin");
            }
            List<String> argv = new ArrayList<>(command);
            argv.set(0, exe.toString());
            Path out = null;
            try {
                out = Files.createTempFile("edgebench-cmd", ".out");
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return Result.failed(String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), null);
            } catch (IOException e) {
                return Result.failed(String.join(" ", command) + " could not be run: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.failed(String.join(" ", command) + " interrupted");
            } finally {
                if (out != null) {
                    try {
                        Files.deleteIfExists(out);
                    } catch (IOException ignored) {
                        // a temp file left behind is harmless
                    }
                }
            }
        };
    }

    private static Path find(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? p : null;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin"));
        for (String d : dirs) {
            if (d.isBlank()) {
                continue;
            }
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
