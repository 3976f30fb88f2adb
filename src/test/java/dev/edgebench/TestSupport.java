package dev.edgebench;

import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.ModelForge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Paths and helpers shared by the tests: where the project, the pinned source and the built engine are. */
public final class TestSupport {
    private TestSupport() {
    }

    /** @return the project root (surefire passes {@code edgebench.project.dir}) */
    public static Path projectDir() {
        String p = System.getProperty("edgebench.project.dir");
        return (p == null || p.isBlank() ? Path.of("") : Path.of(p)).toAbsolutePath().normalize();
    }

    /** @return the native build folder (surefire passes {@code edgebench.native.dir}) */
    public static Path nativeBuildDir() {
        String p = System.getProperty("edgebench.native.dir");
        return (p == null || p.isBlank() ? projectDir().resolve("native/build") : Path.of(p)).toAbsolutePath().normalize();
    }

    /** @return the pinned llama.cpp source (fetched by native/fetch-source.sh) */
    public static Path llamaSource() {
        return projectDir().resolve("native/src/llama.cpp");
    }

    /** @return the pinned source's vocabulary files */
    public static Path vocabDir() {
        return llamaSource().resolve("models");
    }

    /** @return a reference tool of the CPU build, e.g. {@code llama-simple} */
    public static Path cpuTool(String name) {
        return nativeBuildDir().resolve("cpu/bin").resolve(name);
    }

    /** The smallest catalog model: llama architecture, the real phi-3 tokenizer, 4.2 M parameters. */
    public static final String TINY = "edgebench-tiny";

    /**
     * Forges a catalog model into {@code cacheDir} with the engine's quantizer (native for non-float types).
     * Also points {@code edgebench.models} at the cache, so code that uses the default cache never
     * reaches the user's.
     */
    public static Path forge(Path cacheDir, String name, String type, long seed) {
        System.setProperty("edgebench.models", cacheDir.toString());
        return new ModelForge(Catalog.builtin(), cacheDir, vocabDir(), new LlamaQuantizer(), s -> {
        }).forge(name, type, seed);
    }

    /** @return the sha256 of a file, lower-case hex */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a finished process printed. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /**
     * Runs a command to completion and returns its output.
     *
     * @param timeoutS the process is killed (and this throws) after so many seconds
     */
    public static Result run(List<String> command, long timeoutS) {
        return run(command, timeoutS, List.of());
    }

    /** The same, with variables removed from the inherited environment. */
    public static Result run(List<String> command, long timeoutS, List<String> unsetEnv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            unsetEnv.forEach(pb.environment()::remove);
            Process p = pb.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutS + " s: " + command);
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a command that runs a main class of this project in a fresh JVM with the test class path */
    public static List<String> javaCommand(String mainClass, String... args) {
        return javaCommand(List.of(), mainClass, args);
    }

    /** @return the same, with JVM options (e.g. system properties) */
    public static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** @return every regular file under {@code dir}, relative, sorted */
    public static List<String> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
