package dev.edgebench.results;

import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import dev.edgebench.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a run's {@code run.json} and {@code summary.md} from its folder, and finds runs whose
 * process died. A run in progress holds {@code run.lock} with its pid; any command that meets a
 * folder whose lock names a process that no longer runs (a {@code kill -9}, a power cut)
 * re-assembles it as {@code interrupted}, so that everything it measured is readable.
 */
public final class RunWriter {
    private static final String LOCK = "run.lock";

    private RunWriter() {
    }

    /** Marks the run as in progress by this process. */
    public static void lock(RunFolder folder) throws IOException {
        Files.writeString(folder.dir().resolve(LOCK), String.valueOf(ProcessHandle.current().pid()));
    }

    /**
     * Assembles run.json and summary.md from the folder and removes the run lock.
     *
     * @param print print the summary to standard output
     * @return 0 when every benchmark passed, 1 otherwise
     */
    public static int finish(RunFolder folder, RunDocument header, String status, boolean print) {
        try {
            RunDocument run = RunAssembler.assemble(folder, header, status);
            RunDocuments.write(folder.runJson(), run);
            String md = Summary.markdown(run);
            Path tmp = Files.createTempFile(folder.dir(), ".summary", ".tmp");
            Files.writeString(tmp, md);
            Files.move(tmp, folder.summary(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(folder.dir().resolve(LOCK));
            if (print) {
                System.out.println();
                System.out.println(md);
                System.out.println("Run folder: " + folder.dir());
            }
            return run.failedBenchmarks() != null && run.failedBenchmarks() > 0 ? 1 : 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("run: could not assemble the results in " + folder.dir() + ": " + e);
            return 1;
        }
    }

    /**
     * Re-assembles one folder as {@code interrupted} when its lock names a process that is gone.
     *
     * @return whether it did
     */
    public static boolean recover(Path dir) {
        Path lock = dir.resolve(LOCK);
        if (!Files.isRegularFile(lock) || alive(lock)) {
            return false;
        }
        try {
            RunFolder folder = new RunFolder(dir);
            RunDocument header = RunDocuments.read(folder.runJson());
            if (finish(folder, header, "interrupted", false) >= 0) {
                System.err.println(dir.getFileName() + " was interrupted (its process is gone): re-assembled what it measured,"
                        + " status interrupted");
            }
            return true;
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot re-assemble the interrupted run " + dir + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * Re-assembles every run folder under {@code runsDir} whose process is gone.
     *
     * @return the folders re-assembled
     */
    public static List<Path> recoverAll(Path runsDir) {
        List<Path> done = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) {
            return done;
        }
        try (Stream<Path> s = Files.list(runsDir)) {
            for (Path dir : s.filter(Files::isDirectory).sorted().toList()) {
                if (recover(dir)) {
                    done.add(dir);
                }
            }
        } catch (IOException e) {
            System.err.println("cannot look for interrupted runs in " + runsDir + ": " + e.getMessage());
        }
        return done;
    }

    private static boolean alive(Path lock) {
        try {
            long pid = Long.parseLong(Files.readString(lock).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
