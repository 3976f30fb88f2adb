package dev.edgebench.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * sha256 of model files, remembered across runs in the user's cache
 * ({@code $XDG_CACHE_HOME/edgebench/hashes/}, default {@code ~/.cache/edgebench/hashes/}), keyed by the file's absolute path, size and modification time. Nothing
 * is written beside the model: a model cache on a read-only file system works, and when the hash
 * folder cannot be written either the hash is simply computed again next time.
 */
public final class FileHashes {
    private FileHashes() {
    }

    /** @return the sha256 of a file, hex */
    public static String sha256(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        String key = Files.size(abs) + " " + Files.getLastModifiedTime(abs).toMillis();
        Path side = hashDir().resolve(hex(digest().digest(abs.toString().getBytes(StandardCharsets.UTF_8))));
        if (Files.isRegularFile(side)) {
            String[] l = Files.readString(side).trim().split(" ");
            if (l.length == 3 && (l[0] + " " + l[1]).equals(key)) {
                return l[2];
            }
        }
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(abs)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        String hex = hex(md.digest());
        try {
            Files.createDirectories(side.getParent());
            Path tmp = Files.createTempFile(side.getParent(), ".hash", ".tmp");
            Files.writeString(tmp, key + " " + hex);
            Files.move(tmp, side, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // remembering is an optimisation: a read-only home only costs a re-hash next time
        }
        return hex;
    }

    private static Path hashDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("edgebench").resolve("hashes");
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
