package dev.edgebench.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Finds and removes what interrupted forges left in a model cache: partial files
 * ({@code <model>.gguf.partial}, {@code .f16-base}, {@code .f16-base.partial},
 * {@code .quantized.partial}) and their lock files ({@code .<model>.gguf.lock}). A model's
 * leftovers are removed only when no forge owns them: the cleaner takes the model's forge lock
 * (in this JVM and in the file system) without waiting, exactly as a forge would, so a forge
 * running in another process keeps its files. A forge whose process was killed leaves a lock
 * nobody holds: its files are stale.
 *
 * <p>Stateless; thread-safe.
 */
final class ForgeLeftovers {
    private ForgeLeftovers() {
    }

    /**
     * Removes the leftovers of every model in {@code cacheDir} whose forge is gone.
     *
     * @param inProcess the forge locks of this JVM, by target file
     * @param except    a target whose leftovers are left alone (the caller's own), or null
     */
    static ModelForge.Cleanup clean(Path cacheDir, ConcurrentHashMap<Path, ReentrantLock> inProcess, Path except)
            throws IOException {
        List<Path> removed = new ArrayList<>();
        List<Path> inUse = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<Path, List<Path>> e : byTarget(cacheDir).entrySet()) {
            Path target = e.getKey();
            if (target.equals(except)) {
                continue;
            }
            ReentrantLock mine = inProcess.computeIfAbsent(target, k -> new ReentrantLock());
            if (!mine.tryLock()) {
                inUse.addAll(e.getValue());
                continue;
            }
            try {
                Path lockFile = lockFile(target);
                try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock lock = tryLock(ch)) {
                    if (lock == null) {
                        inUse.addAll(e.getValue());
                        continue;
                    }
                    for (Path p : e.getValue()) {
                        if (!p.equals(lockFile)) {
                            long size = Files.exists(p) ? Files.size(p) : 0;
                            if (Files.deleteIfExists(p)) {
                                removed.add(p);
                                bytes += size;
                            }
                        }
                    }
                    // deleted while held, as a finishing forge does; a forge waiting on it re-checks the model
                    if (Files.deleteIfExists(lockFile) && e.getValue().contains(lockFile)) {
                        removed.add(lockFile);
                    }
                }
            } finally {
                mine.unlock();
            }
        }
        return new ModelForge.Cleanup(List.copyOf(removed), bytes, List.copyOf(inUse));
    }

    /** @return the lock, or null when a forge in this or another process holds it */
    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** @return the lock file of a forge of {@code target} */
    static Path lockFile(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".lock");
    }

    /** @return the leftovers in the cache's model folders, by the model file they were for */
    private static Map<Path, List<Path>> byTarget(Path cacheDir) throws IOException {
        Map<Path, List<Path>> out = new TreeMap<>();
        if (!Files.isDirectory(cacheDir)) {
            return out;
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(cacheDir)) {
            folders = s.filter(Files::isDirectory).toList();
        }
        for (Path folder : folders) {
            try (Stream<Path> s = Files.list(folder)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String target = targetName(p.getFileName().toString());
                    if (target != null) {
                        out.computeIfAbsent(folder.resolve(target), k -> new ArrayList<>()).add(p);
                    }
                }
            }
        }
        return out;
    }

    /** @return the model file name a leftover belongs to, or null when {@code name} is no leftover */
    static String targetName(String name) {
        if (name.startsWith(".") && name.endsWith(".gguf.lock")) {
            return name.substring(1, name.length() - ".lock".length());
        }
        int gguf = name.indexOf(".gguf.");
        if (gguf > 0 && (name.endsWith(".partial") || name.endsWith(".f16-base"))) {
            return name.substring(0, gguf + ".gguf".length());
        }
        return null;
    }
}
