package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.bindings.llama.ggml_log_callback;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
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
 * <p>Thread-safe: llama.cpp may log from any thread. With the native gate ({@link #install})
 * nothing reaches Java on the per-token path; without it, the CUDA backend's debug line per
 * reused graph costs one upcall per decode step.
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

    /** The library that holds the log gate ({@code native/shim/ebr_log.h}). */
    static final String GATE_LIBRARY = "libedgebench_request_llama.so";
    /** System property: {@code false} gives llama.cpp the Java callback itself, as before the gate (for an A/B). */
    static final String GATE_PROPERTY = "edgebench.native.logGate";

    /** How lines reach {@link #onLog}: through the native gate, or every line straight to Java (and why). */
    private static volatile String route = "not installed";

    /**
     * Installs the callback for llama.cpp and ggml; the upcall stub and the gate's settings live
     * as long as the JVM. Where the native build has the log gate, llama.cpp calls the gate and
     * only lines this class keeps or prints reach Java: the CUDA backend writes a debug line on
     * every decode step that reuses its graph, and without the gate each would be an upcall into
     * Java inside the timed step (llama-bench gives llama.cpp a C callback that does nothing).
     */
    static void install() {
        MemorySegment stub = ggml_log_callback.allocate(NativeLog::onLog, Arena.global());
        MemorySegment gate = null;
        String why;
        String setting = System.getProperty(GATE_PROPERTY, "true").strip().toLowerCase(java.util.Locale.ROOT);
        if (!setting.equals("true") && !setting.equals("false")) {
            throw new IllegalArgumentException("system property " + GATE_PROPERTY + " is '" + System.getProperty(GATE_PROPERTY)
                    + "'; it takes true or false");
        }
        if (setting.equals("false")) {
            why = GATE_PROPERTY + "=false";
        } else {
            try {
                Path lib = NativeLibraries.locate(GATE_LIBRARY);
                gate = SymbolLookup.libraryLookup(lib, Arena.global()).find("ebr_log_gate").orElse(null);
                why = gate == null ? lib + " has no ebr_log_gate" : "gate in " + lib;
            } catch (RuntimeException e) {
                why = "no " + GATE_LIBRARY + " beside the engine";
            }
        }
        if (gate == null) {
            Llama.llama_log_set(stub, MemorySegment.NULL);
            route = "every line to Java (" + why + ")";
            return;
        }
        // ebr_log_gate_config: int64 size, sink, int32 min_level, int32 cont_level
        MemorySegment config = Arena.global().allocate(GATE_CONFIG);
        config.set(ValueLayout.JAVA_LONG, offset("size"), GATE_CONFIG.byteSize());
        config.set(ValueLayout.ADDRESS, offset("sink"), stub);
        config.set(ValueLayout.JAVA_INT, offset("min_level"), Math.min(KEEP_LEVEL, ECHO_LEVEL));
        config.set(ValueLayout.JAVA_INT, offset("cont_level"), CONT);
        Llama.llama_log_set(gate, config);
        route = "lines at level " + Math.min(KEEP_LEVEL, ECHO_LEVEL) + " and above to Java (" + why + ")";
    }

    /** {@code ebr_log_gate_config}'s layout (ebr_log.h). */
    private static final MemoryLayout GATE_CONFIG = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("size"),
            ValueLayout.ADDRESS.withName("sink"), ValueLayout.JAVA_INT.withName("min_level"), ValueLayout.JAVA_INT.withName("cont_level"));

    private static long offset(String field) {
        return GATE_CONFIG.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** @return how llama.cpp's log lines reach Java: through the native gate or each as an upcall, and why */
    static String route() {
        return route;
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
