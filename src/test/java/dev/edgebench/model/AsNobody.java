package dev.edgebench.model;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ModelFileProbe} in a JVM of user {@code nobody} (uid 65534, through {@code setpriv}),
 * for checks that permissions cannot make as root: root reads and writes whatever it likes.
 */
final class AsNobody {
    private AsNobody() {
    }

    /**
     * @return whether this process is root, {@code setpriv} exists and nobody can read the compiled
     *         classes, so that a probe can run as nobody
     */
    static boolean available() {
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return false;
        }
        try {
            for (Class<?> c : List.of(ModelFileProbe.class, ModelFacts.class)) {
                if (!isReadableByOthers(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()))) {
                    return false;
                }
            }
            return true;
        } catch (URISyntaxException | IOException e) {
            return false;
        }
    }

    /**
     * Makes {@code dir} and its parents traversable by other users (TempDirs are 0700), up to but
     * not including {@code java.io.tmpdir}: folders outside the test's own are never changed.
     */
    static void openToOthers(Path dir) throws IOException {
        Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        Path d = dir.toAbsolutePath().normalize();
        if (!d.startsWith(tmpRoot) || d.equals(tmpRoot)) {
            throw new IllegalArgumentException(dir + " is not a folder of a test under " + tmpRoot);
        }
        for (; !d.equals(tmpRoot); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /**
     * @param scratch    a folder of the test's, under java.io.tmpdir: jars nobody could read are copied into
     *                   its {@code jars/} subfolder
     * @param jvmOptions options of the probe's JVM, e.g. {@code -Dedgebench.models=...}
     * @return the probe's one line of output
     */
    static String probe(Path scratch, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(scratch), ModelFileProbe.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // nobody's own home and caches, not this user's
        pb.environment().remove("XDG_CACHE_HOME");
        pb.environment().remove("EDGEBENCH_MODELS");
        pb.environment().put("HOME", "/nonexistent");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe did not finish: " + out);
        }
        return out;
    }

    /**
     * target/test-classes, target/classes and Jackson (the catalog's JSON): the probe needs nothing
     * else but the JDK. Jars in a folder nobody may read (Maven's repository under root's home) are
     * used through copies in {@code scratch}.
     */
    private static String classPath(Path scratch) throws IOException {
        List<String> parts = new ArrayList<>();
        for (Class<?> c : List.of(ModelFileProbe.class, ModelFacts.class, com.fasterxml.jackson.databind.ObjectMapper.class,
                com.fasterxml.jackson.core.JsonParser.class, com.fasterxml.jackson.annotation.JsonProperty.class)) {
            try {
                parts.add(readable(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()), scratch).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** @return a jar itself when nobody can read it, else a copy in a folder nobody can read */
    private static Path readable(Path p, Path scratch) throws IOException {
        if (Files.isDirectory(p) || isReadableByOthers(p)) {
            return p;
        }
        Path dir = Files.createDirectories(scratch.resolve("jars"));
        openToOthers(dir);
        Path copy = dir.resolve(p.getFileName());
        if (!Files.exists(copy)) {
            Files.copy(p, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return copy;
    }

    /** @return whether every folder above {@code p} is searchable by others and {@code p} readable by them */
    private static boolean isReadableByOthers(Path p) throws IOException {
        if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path d = p.getParent(); d != null; d = d.getParent()) {
            if (!Files.getPosixFilePermissions(d).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }
}
