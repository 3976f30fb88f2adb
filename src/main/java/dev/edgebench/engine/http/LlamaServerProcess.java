package dev.edgebench.engine.http;

import dev.edgebench.engine.llama.NativeLibraries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code llama-server} that edgebench starts itself, from the engine build
 * ({@code native/build/<profile>/bin/llama-server}), on 127.0.0.1 at a free port, with one model.
 * {@link #start} returns once {@code /health} answers 200 (the model is loaded), or fails with the
 * server's exit code and the end of its log. {@link #close} stops the server and its children by
 * process id; a JVM exit does the same through a shutdown hook.
 *
 * <p>Owns the process and, when no log file was given, a temporary log (deleted on close).
 * Threading: {@link #close} may be called from any thread, more than once.
 */
public final class LlamaServerProcess implements AutoCloseable {
    private static final int PORT_TRIES = 3;
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    /**
     * How to start the server.
     *
     * @param binary       the llama-server executable
     * @param model        the GGUF file
     * @param slots        requests served in parallel ({@code -np})
     * @param nCtxPerSlot  context tokens per slot ({@code -c} is slots × this)
     * @param nThreads     CPU threads, 0: the server's default
     * @param nUbatch      physical batch, 0: the server's default
     * @param nGpuLayers   layers on the GPU: -1 all, 0 none (not passed), otherwise that many
     * @param flashAttn    on, off or auto (null: the server's default)
     * @param cacheType    K and V cache type (null: the server's default)
     * @param extraArgs    further llama-server arguments, passed as given
     * @param logFile      where the server's output goes (null: a temporary file)
     * @param readyTimeout how long loading may take until {@code /health} answers 200
     */
    public record Options(Path binary, Path model, int slots, int nCtxPerSlot, int nThreads, int nUbatch, int nGpuLayers,
                          String flashAttn, String cacheType, List<String> extraArgs, Path logFile, Duration readyTimeout) {
        public Options {
            if (slots < 1 || nCtxPerSlot < 1) {
                throw new IllegalArgumentException("llama-server needs slots and nCtxPerSlot of at least 1: " + slots + ", " + nCtxPerSlot);
            }
            extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
        }
    }

    private final Process process;
    private final int port;
    private final Path log;
    private final boolean tempLog;
    private final Thread hook;
    private volatile boolean closed;

    private LlamaServerProcess(Process process, int port, Path log, boolean tempLog) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.tempLog = tempLog;
        this.hook = new Thread(this::stop, "llama-server-stop-" + process.pid());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @return the llama-server of the engine build: {@code edgebench.llama.server} or
     * {@code EDGEBENCH_LLAMA_SERVER} when set, else {@code bin/llama-server} beside the engine's libraries
     * @throws IllegalArgumentException naming every place tried when none is an executable
     */
    public static Path locateBinary() {
        List<Path> tried = new ArrayList<>();
        for (String p : new String[] {System.getProperty("edgebench.llama.server"), System.getenv("EDGEBENCH_LLAMA_SERVER")}) {
            if (p != null && !p.isBlank()) {
                Path b = Path.of(p);
                if (Files.isExecutable(b)) {
                    return b;
                }
                tried.add(b);
            }
        }
        try {
            Path b = NativeLibraries.buildDir().resolve("bin").resolve("llama-server");
            if (Files.isExecutable(b)) {
                return b;
            }
            tried.add(b);
        } catch (RuntimeException e) {
            tried.add(Path.of("native/build/<profile>/bin/llama-server (no engine build found: " + e.getMessage() + ")"));
        }
        throw new IllegalArgumentException("no llama-server executable; tried " + tried
                + ". Build it with 'make native' (native/build.sh builds llama-server), or set -Dedgebench.llama.server");
    }

    /**
     * Starts the server and waits until it serves.
     *
     * @throws IllegalArgumentException when the binary or the model is missing
     * @throws IllegalStateException    when it exits or is not ready in time (with the end of its log)
     */
    public static LlamaServerProcess start(Options o) {
        if (!Files.isExecutable(o.binary())) {
            throw new IllegalArgumentException("llama-server '" + o.binary() + "' is not an executable file");
        }
        if (!Files.isRegularFile(o.model())) {
            throw new IllegalArgumentException("model '" + o.model() + "' is not a file");
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < PORT_TRIES; attempt++) {
            LlamaServerProcess p = launch(o, freePort());
            try {
                p.awaitReady(o.readyTimeout());
                return p;
            } catch (IllegalStateException e) {
                p.close();
                last = e;
                // another program may have taken the port between our probe and the server's bind: try a new one
                if (!e.getMessage().contains("bind")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static LlamaServerProcess launch(Options o, int port) {
        List<String> cmd = new ArrayList<>(List.of(o.binary().toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "-m", o.model().toString(), "-np", Integer.toString(o.slots()),
                "-c", Long.toString((long) o.slots() * o.nCtxPerSlot()), "--metrics"));
        if (o.nThreads() > 0) {
            cmd.addAll(List.of("-t", Integer.toString(o.nThreads())));
        }
        if (o.nUbatch() > 0) {
            cmd.addAll(List.of("-ub", Integer.toString(o.nUbatch())));
        }
        if (o.nGpuLayers() != 0) {
            cmd.addAll(List.of("-ngl", o.nGpuLayers() < 0 ? "all" : Integer.toString(o.nGpuLayers())));
        }
        if (o.flashAttn() != null) {
            cmd.addAll(List.of("-fa", o.flashAttn()));
        }
        if (o.cacheType() != null) {
            cmd.addAll(List.of("-ctk", o.cacheType(), "-ctv", o.cacheType()));
        }
        cmd.addAll(o.extraArgs());
        try {
            boolean temp = o.logFile() == null;
            Path log = temp ? Files.createTempFile("llama-server-", ".log") : o.logFile();
            if (!temp && log.getParent() != null) {
                Files.createDirectories(log.getParent());
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new LlamaServerProcess(p, port, log, temp);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        URI health = URI.create(baseUri() + "/health");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() - deadline < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("llama-server exited with code " + process.exitValue() + " before it served; its log ("
                            + log + ") ends:\n" + logTail());
                }
                try {
                    HttpResponse<String> r = c.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet: loading the model comes first
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for llama-server at " + health, e);
        }
        throw new IllegalStateException("llama-server at " + health + " was not ready within " + timeout.toMillis()
                + " ms; its log (" + log + ") ends:\n" + logTail());
    }

    /** @return the last lines of the server's log (at most 4 KiB) */
    public String logTail() {
        try {
            byte[] b = Files.readAllBytes(log);
            int from = Math.max(0, b.length - 4096);
            return new String(b, from, b.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** @return http://127.0.0.1:port */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** @return the server's process id */
    public long pid() {
        return process.pid();
    }

    /** @return whether the server process is running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the server's log file */
    public Path logFile() {
        return log;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
        }
    }

    /** Stops the server and its children (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (stop() is idempotent)
        }
        if (tempLog) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a temporary file left in the temp folder harms nothing
            }
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return "llama-server pid " + process.pid() + " at " + baseUri();
    }
}
