package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.bindings.llama.ggml_log_callback;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Receives llama.cpp/ggml log output. Warnings and errors are kept in a small ring so that
 * exceptions can quote what llama.cpp said; lines at or above the echo level (system property
 * {@code edgebench.native.log}: {@code none} (default), {@code error}, {@code warn}, {@code info},
 * {@code debug}) are also printed to stderr.
 *
 * <p>Thread-safe: llama.cpp may log from any thread. Logging is not on the per-token path
 * (llama_decode does not log on success).
 */
final class NativeLog {
    private static final int KEEP = 24;
    private static final ArrayDeque<Line> RING = new ArrayDeque<>(KEEP);
    private static final int ECHO_LEVEL = echoLevel();
    private static final int KEEP_LEVEL = Llama.GGML_LOG_LEVEL_WARN();
    private static final int ERROR_LEVEL = Llama.GGML_LOG_LEVEL_ERROR();
    private static final int CONT = Llama.GGML_LOG_LEVEL_CONT();
    /** Level of the last message that was not a continuation (racy by design: a hint for CONT lines). */
    private static volatile int lastLevel;
    private static StringBuilder pending = new StringBuilder();
    private static int pendingLevel;

    private NativeLog() {
    }

    /** Installs the callback for llama.cpp and ggml; the upcall stub lives as long as the JVM. */
    static void install() {
        MemorySegment stub = ggml_log_callback.allocate(NativeLog::onLog, Arena.global());
        Llama.llama_log_set(stub, MemorySegment.NULL);
    }

    /** One kept line and its ggml log level. */
    private record Line(int level, String text) {
    }

    /** @return the most recent warning and error lines, oldest first */
    static synchronized List<String> recent() {
        List<String> out = new ArrayList<>(RING.size());
        for (Line l : RING) {
            out.add(l.text());
        }
        return out;
    }

    /** @return the most recent error lines (llama.cpp's reasons for a failure), oldest first */
    static synchronized List<String> recentErrors() {
        List<String> out = new ArrayList<>();
        for (Line l : RING) {
            if (l.level() >= ERROR_LEVEL) {
                out.add(l.text());
            }
        }
        return out;
    }

    /** Forgets what was kept, so that the next exception quotes only what follows. */
    static synchronized void clear() {
        RING.clear();
    }

    /**
     * The upcall. llama.cpp logs at debug level on every decode, so messages nobody keeps or
     * prints are dropped before any string is read: the per-token path pays one upcall only.
     */
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        boolean cont = level == CONT;
        if (!cont) {
            lastLevel = level;
        }
        int effective = cont ? lastLevel : level;
        if (effective < KEEP_LEVEL && effective < ECHO_LEVEL) {
            return;
        }
        append(effective, text);
    }

    private static synchronized void append(int level, MemorySegment text) {
        String s = text.address() == 0 ? "" : text.reinterpret(Long.MAX_VALUE).getString(0);
        pending.append(s);
        pendingLevel = level;
        int nl;
        while ((nl = pending.indexOf("\n")) >= 0) {
            String line = pending.substring(0, nl);
            pending = new StringBuilder(pending.substring(nl + 1));
            emit(pendingLevel, line);
        }
    }

    private static void emit(int level, String line) {
        if (line.isBlank()) {
            return;
        }
        if (level >= KEEP_LEVEL) {
            if (RING.size() == KEEP) {
                RING.removeFirst();
            }
            RING.addLast(new Line(level, line.strip()));
        }
        if (level >= ECHO_LEVEL) {
            System.err.println("[llama.cpp] " + line);
        }
    }

    private static int echoLevel() {
        String v = System.getProperty("edgebench.native.log", "none").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "debug" -> 1;
            case "info" -> 2;
            case "warn" -> 3;
            case "error" -> 4;
            default -> Integer.MAX_VALUE;
        };
    }
}
