package dev.edgebench.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The model architectures (GGUF {@code general.architecture} values) an engine build can load.
 * {@code native/build.sh} writes them beside the build's {@code manifest.json} as
 * {@value #FILE}, one per line, read from the {@code LLM_ARCH_NAMES} table of the very source it
 * compiled ({@code src/llama-arch.cpp}), so the list always matches the libraries next to it.
 * Builds made before the list existed have none: then nothing can be checked up front.
 *
 * <p>Immutable; thread-safe.
 *
 * @param buildDir the build folder (the one holding {@code lib/} and {@code manifest.json})
 * @param names    the architectures, sorted
 */
public record EngineArchitectures(Path buildDir, SortedSet<String> names) {
    /** The list's file name in a build folder. */
    public static final String FILE = "architectures.txt";

    public EngineArchitectures {
        names = Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }

    /**
     * Reads a build folder's list.
     *
     * @param buildDir a folder made by {@code native/build.sh}, e.g. {@code native/build/cpu}
     * @return the list, or empty when the build has none (made before the list existed, or not by
     *         {@code native/build.sh})
     * @throws IOException when the list exists but cannot be read
     * @throws IllegalStateException when the list exists but names no architecture (a damaged build)
     */
    public static Optional<EngineArchitectures> read(Path buildDir) throws IOException {
        Path f = buildDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        SortedSet<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(f)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                names.add(s);
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException(f + " lists no architecture; rebuild the engine (make native)");
        }
        return Optional.of(new EngineArchitectures(buildDir.toAbsolutePath().normalize(), names));
    }

    /** @return whether a model of {@code architecture} can be loaded by this build */
    public boolean supports(String architecture) {
        return names.contains(architecture);
    }

    /**
     * @param model        the model, for the message
     * @param architecture its {@code general.architecture}
     * @throws UnsupportedArchitectureException when this build does not know it
     */
    public void check(String model, String architecture) {
        if (!supports(architecture)) {
            throw new UnsupportedArchitectureException(model, architecture, this);
        }
    }

    /**
     * A model's architecture is not one the engine build knows; the message lists those it does.
     * An {@link IllegalArgumentException}: the model given is bad input for this build.
     */
    public static final class UnsupportedArchitectureException extends IllegalArgumentException {
        private final String architecture;
        private final transient EngineArchitectures supported;

        UnsupportedArchitectureException(String model, String architecture, EngineArchitectures supported) {
            super(model + ": architecture " + architecture + " is not supported by the engine build at " + supported.buildDir()
                    + "; supported: " + String.join(", ", supported.names()));
            this.architecture = architecture;
            this.supported = supported;
        }

        /** @return the architecture refused */
        public String architecture() {
            return architecture;
        }

        /** @return the architectures the build knows, sorted */
        public List<String> supported() {
            return List.copyOf(supported.names());
        }
    }
}
