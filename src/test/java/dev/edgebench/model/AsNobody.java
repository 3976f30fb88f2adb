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

    /** @return whether this process is root and {@code setpriv} exists, so a probe can run as nobody */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
    }

    /** Makes {@code dir} and its parents up to {@code /tmp} traversable by other users (TempDirs are 0700). */
    static void openToOthers(Path dir) throws IOException {
        for (Path d = dir; d != null && d.getNameCount() > 1; d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** @return the probe's one line of output */
    static String probe(String... args) throws IOException, InterruptedException {
        return probe(List.of(), args);
    }

    /**
     * @param jvmOptions options of the probe's JVM, e.g. {@code -Dedgebench.models=...}
     * @return the probe's one line of output
     */
    static String probe(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), ModelFileProbe.class.getName()));
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
     * used through copies in {@code <java.io.tmpdir>/edgebench-as-nobody}.
     */
    private static String classPath() {
        List<String> parts = new ArrayList<>();
        for (Class<?> c : List.of(ModelFileProbe.class, ModelFacts.class, com.fasterxml.jackson.databind.ObjectMapper.class,
                com.fasterxml.jackson.core.JsonParser.class, com.fasterxml.jackson.annotation.JsonProperty.class)) {
            try {
                parts.add(readable(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())).toString());
            } catch (URISyntaxException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** @return a jar itself when nobody can read it, else a copy in a folder nobody can read */
    private static Path readable(Path p) throws IOException {
        if (Files.isDirectory(p) || isReadableByOthers(p)) {
            return p;
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "edgebench-as-nobody");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = dir.resolve(p.getFileName());
        if (!Files.exists(copy) || Files.size(copy) != Files.size(p)) {
            Path tmp = Files.createTempFile(dir, p.getFileName().toString(), ".tmp");
            Files.copy(p, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
