package dev.edgebench.model;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A model cache that holds the model but cannot be written (a read-only file system, another
 * user's folder) still serves it: resolving and hashing write nothing beside the model, and the
 * hash is remembered elsewhere, or in memory when nowhere can be written.
 */
class ReadOnlyModelCacheTest {
    @TempDir
    Path tmp;

    private static String sha256Of(Path p) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void hashesAreRememberedInTheStore_neverBesideTheModel() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        Path m = Files.write(models.resolve("m.gguf"), "not really a model".getBytes());
        List<Path> before = listing(models);
        Path store = tmp.resolve("hashes");
        ModelDigests d = new ModelDigests(store);
        assertEquals(sha256Of(m), d.sha256(m));
        assertEquals(before, listing(models), "nothing written beside the model");
        try (Stream<Path> s = Files.list(store)) {
            List<Path> entries = s.toList();
            assertEquals(1, entries.size());
            assertEquals(Files.size(m) + " " + Files.getLastModifiedTime(m).toMillis() + " " + m + "\n" + sha256Of(m),
                    Files.readString(entries.get(0)));
        }
        // a changed file (new size and time) is hashed again, by this JVM and by the next
        Files.write(m, "now another model".getBytes());
        Files.setLastModifiedTime(m, FileTime.fromMillis(Files.getLastModifiedTime(m).toMillis() + 2000));
        assertEquals(sha256Of(m), d.sha256(m));
        assertEquals(sha256Of(m), new ModelDigests(store).sha256(m));
        // a store that cannot be made (its parent is a file) leaves the hash in memory only
        Path blocked = Files.writeString(tmp.resolve("a-file"), "x").resolve("hashes");
        assertEquals(sha256Of(m), new ModelDigests(blocked).sha256(m));
    }

    @Test
    void aReadOnlyCacheHoldingTheModel_resolvesAndHashesWithoutWriting() throws Exception {
        Path vocab = TestSupport.vocabDir();
        assumeTrue(Files.isDirectory(vocab), "the pinned source (vocabulary files) is fetched by make native");
        Path cache = tmp.resolve("cache");
        Path model = new ModelForge(Catalog.builtin(), cache, vocab, null, s -> { })
                .forge(TestSupport.TINY, "F32", ModelForge.DEFAULT_SEED);
        String expected = sha256Of(model);
        List<Path> before = listing(cache);
        if (AsNobody.available()) {
            // root writes anywhere: as nobody, the root-owned cache (0755) is read-only, and so is every
            // place nobody could keep hashes in (its home is /nonexistent)
            AsNobody.openToOthers(model.getParent());
            assertEquals("ok " + model + " " + expected, AsNobody.probe(tmp, List.of("-Dedgebench.models=" + cache),
                    "resolve-sha256", TestSupport.TINY + ":F32"));
        } else {
            for (Path d : List.of(model.getParent(), cache)) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("r-xr-xr-x"));
            }
            assumeTrue(!Files.isWritable(model.getParent()), "this user writes into read-only folders");
            Path resolved = new ModelForge(Catalog.builtin(), cache, vocab, null, s -> { })
                    .forge(TestSupport.TINY, "F32", ModelForge.DEFAULT_SEED);
            assertEquals(expected, new ModelDigests(model.getParent().resolve("hashes")).sha256(resolved));
        }
        assertEquals(before, listing(cache), "nothing written into the cache");
        assertNotEquals(0, before.size());
    }
}
