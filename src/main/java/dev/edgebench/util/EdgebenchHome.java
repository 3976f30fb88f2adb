package dev.edgebench.util;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project (or an offline bundle) lives: the folder holding {@code native/build/}
 * and {@code results/}.
 *
 * <p>Order: system property {@code edgebench.home}, environment variable {@code EDGEBENCH_HOME},
 * the folder of the running jar ({@code <home>/target/benchmarks.jar} in a checkout,
 * {@code <home>/benchmarks.jar} in a bundle), the working directory.
 */
public final class EdgebenchHome {
    private EdgebenchHome() {
    }

    /** @return the home folder, absolute and normalized; never null */
    public static Path dir() {
        String prop = System.getProperty("edgebench.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        String env = System.getenv("EDGEBENCH_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        Path jarDir = jarDir();
        if (jarDir != null) {
            if (jarDir.getFileName() != null && jarDir.getFileName().toString().equals("target")
                    && Files.isDirectory(jarDir.getParent().resolve("native"))) {
                return jarDir.getParent();
            }
            if (Files.isDirectory(jarDir.resolve("native"))) {
                return jarDir;
            }
        }
        String projectProp = System.getProperty("edgebench.project.dir");
        if (projectProp != null && !projectProp.isBlank()) {
            return Path.of(projectProp).toAbsolutePath().normalize();
        }
        return Path.of("").toAbsolutePath().normalize();
    }

    private static Path jarDir() {
        try {
            var src = EdgebenchHome.class.getProtectionDomain().getCodeSource();
            if (src == null) {
                return null;
            }
            Path p = Path.of(src.getLocation().toURI()).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) {
                return p.getParent();
            }
            // target/classes when run from an IDE or surefire
            if (p.getFileName() != null && p.getFileName().toString().equals("classes")) {
                return p.getParent();
            }
            return null;
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
