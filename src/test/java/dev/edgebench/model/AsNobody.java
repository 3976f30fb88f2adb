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
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath(),
                ModelFileProbe.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe did not finish: " + out);
        }
        return out;
    }

    /** target/test-classes and target/classes: the probe needs the model package and the JDK only. */
    private static String classPath() {
        try {
            Path tests = Path.of(ModelFileProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path main = Path.of(ModelFacts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return tests + java.io.File.pathSeparator + main;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
