package dev.edgebench.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * sha256 of model files, remembered so that a multi-gigabyte model is hashed once: in memory for
 * the life of the JVM, and in a store folder of its own, keyed by the file's absolute path, size
 * and modification time. Nothing is ever written beside the model, so a model cache on a
 * read-only file system works; when the store cannot be written either, hashes are kept in
 * memory only.
 *
 * <p>Thread-safe; two JVMs may share a store (entries are replaced atomically, and a torn or
 * stale entry is recomputed).
 */
public final class ModelDigests {
    /** Hashes computed by this JVM, by path, size and modification time. */
    private static final ConcurrentHashMap<Key, String> MEMORY = new ConcurrentHashMap<>();

    private final Path storeDir;

    private record Key(Path path, long sizeBytes, long mtimeMs) {
        /** One line: size, mtime, path; the hash follows it in a store entry. */
        String line() {
            return sizeBytes + " " + mtimeMs + " " + path;
        }
    }

    /**
     * @param storeDir where hashes are remembered across runs; need not exist or be writable
     */
    public ModelDigests(Path storeDir) {
        this.storeDir = storeDir.toAbsolutePath().normalize();
    }

    /**
     * The default store: system property {@code edgebench.hashes}, else
     * {@code $XDG_CACHE_HOME/edgebench/hashes}, else {@code ~/.cache/edgebench/hashes}; a sibling of
     * the default model cache, but never inside a cache set with {@code EDGEBENCH_MODELS}.
     */
    public static ModelDigests defaultStore() {
        String p = System.getProperty("edgebench.hashes");
        if (p != null && !p.isBlank()) {
            return new ModelDigests(Path.of(p));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new ModelDigests(base.resolve("edgebench").resolve("hashes"));
    }

    /** @return the store folder */
    public Path storeDir() {
        return storeDir;
    }

    /**
     * @return the file's sha256, lower-case hex
     * @throws ModelFiles.PermissionDeniedException when the file may not be read
     * @throws IOException                          when it cannot be read
     */
    public String sha256(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Key key = new Key(abs, Files.size(abs), Files.getLastModifiedTime(abs).toMillis());
        String hex = MEMORY.get(key);
        if (hex != null) {
            return hex;
        }
        Path entry = storeDir.resolve(entryName(abs));
        hex = readEntry(entry, key);
        if (hex == null) {
            hex = compute(abs);
            writeEntry(entry, key, hex);
        }
        MEMORY.put(key, hex);
        return hex;
    }

    /** @return the stored hash when the entry is for this very path, size and mtime, else null */
    private static String readEntry(Path entry, Key key) {
        try {
            String[] l = Files.readString(entry, StandardCharsets.UTF_8).split("\n");
            return l.length == 2 && l[0].equals(key.line()) && l[1].matches("[0-9a-f]{64}") ? l[1] : null;
        } catch (IOException | RuntimeException e) {
            return null; // absent, unreadable or torn: hash again
        }
    }

    /** Remembers a hash; a store that cannot be written leaves it in memory only. */
    private void writeEntry(Path entry, Key key, String hex) {
        Path tmp = null;
        try {
            Files.createDirectories(storeDir);
            tmp = Files.createTempFile(storeDir, entry.getFileName().toString(), ".tmp");
            Files.writeString(tmp, key.line() + "\n" + hex, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // read-only or full: the hash is still right, it is only recomputed by the next JVM
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do in a store that fails
                }
            }
        }
    }

    /** @return a file name for a path's entry: the sha256 of the path (the entry holds the path itself) */
    private static String entryName(Path abs) {
        return HexFormat.of().formatHex(digest().digest(abs.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 32)
                + ".sha256";
    }

    private static String compute(Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = ModelFiles.open(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
