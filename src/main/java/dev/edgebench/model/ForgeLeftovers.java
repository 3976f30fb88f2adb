package dev.edgebench.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What interrupted forges leave in a model cache ({@code <cache>/<model>/}): a model's partial
 * files ({@code <model file>.partial}, {@code .f16-base}, {@code .f16-base.partial},
 * {@code .quantized.partial}) and its lock file ({@code .<model file>.lock}). A forge holds the
 * lock file, locked, from before its first partial file until after its last is gone, so a
 * partial file whose lock is not held belongs to no running forge. Not thread-safe with respect
 * to forges that start while it runs, as {@link ModelForge}'s own lock-file removal is not.
 */
public final class ForgeLeftovers {
    private ForgeLeftovers() {
    }

    /** A removed file, with its size in bytes before removal. */
    public record Removed(Path file, long bytes) {
    }

    /**
     * Removes the partial files and lock files of forges no process runs.
     *
     * @param cacheDir     a model cache; a missing folder holds nothing
     * @param forgingHere  true for a model file a thread of this JVM is forging (its file lock
     *                     cannot be tested from the same JVM)
     * @return the removed files, partial files first, then locks
     * @throws IOException when the cache cannot be listed or a file cannot be removed
     */
    static List<Removed> clean(Path cacheDir, Predicate<Path> forgingHere) throws IOException {
        List<Removed> removed = new ArrayList<>();
        if (!Files.isDirectory(cacheDir)) {
            return removed;
        }
        List<Path> modelDirs;
        try (var s = Files.list(cacheDir)) {
            modelDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        List<Path> staleLocks = new ArrayList<>();
        for (Path dir : modelDirs) {
            List<Path> files;
            try (var s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                String n = f.getFileName().toString();
                int at = n.indexOf(".gguf.");
                if (n.startsWith(".") && n.endsWith(".gguf.lock")) {
                    if (!running(dir.resolve(n.substring(1, n.length() - ".lock".length())), forgingHere)) {
                        staleLocks.add(f);
                    }
                } else if (at > 0 && (n.endsWith(".partial") || n.endsWith(".f16-base"))
                        && !running(dir.resolve(n.substring(0, at + ".gguf".length())), forgingHere)) {
                    long bytes = Files.size(f);
                    if (Files.deleteIfExists(f)) {
                        removed.add(new Removed(f, bytes));
                    }
                }
            }
        }
        for (Path f : staleLocks) {
            if (Files.deleteIfExists(f)) {
                removed.add(new Removed(f, 0));
            }
        }
        return removed;
    }

    /** @return true when a forge of {@code target} holds its lock, in this JVM or in another process */
    private static boolean running(Path target, Predicate<Path> forgingHere) throws IOException {
        if (forgingHere.test(target)) {
            return true;
        }
        Path lockFile = target.resolveSibling("." + target.getFileName() + ".lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE); FileLock l = ch.tryLock()) {
            return l == null;
        } catch (NoSuchFileException e) {
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }
}
