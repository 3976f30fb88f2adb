package dev.edgebench.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place model files are opened for reading (header reads, hashing, the engine's own
 * check before loading), so that a file the user may not read is reported the same way
 * everywhere: {@code permission denied: <path>}, never a stack trace or "not a valid GGUF file".
 *
 * <p>Stateless; thread-safe.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Opens a file; {@link Files#newInputStream} in use, replaceable in tests. */
    @FunctionalInterface
    interface Opener {
        InputStream open(Path path) throws IOException;
    }

    static final Opener FILES = Files::newInputStream;

    /**
     * Opens a model file for reading.
     *
     * @return a stream the caller closes
     * @throws PermissionDeniedException when the file may not be read
     * @throws IOException               for other failures to open it
     */
    public static InputStream open(Path path) throws IOException {
        return open(path, FILES);
    }

    static InputStream open(Path path, Opener opener) throws IOException {
        try {
            return opener.open(path);
        } catch (AccessDeniedException e) {
            throw new PermissionDeniedException(path, e);
        }
    }

    /**
     * A model file may not be read by this user. An {@link IllegalArgumentException}: the model
     * given is bad input, reported as such (exit code 2) by every command.
     */
    public static final class PermissionDeniedException extends IllegalArgumentException {
        private final transient Path path;

        PermissionDeniedException(Path path, AccessDeniedException cause) {
            super("permission denied: " + path, cause);
            this.path = path;
        }

        /** @return the file that may not be read */
        public Path path() {
            return path;
        }
    }
}
