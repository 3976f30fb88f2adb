package dev.edgebench.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** File errors in words, with the file, never the exception's class. */
class IoErrorsTest {
    @Test
    void describesFileErrorsInWords() {
        assertEquals("/m/x.gguf: permission denied", IoErrors.describe(new AccessDeniedException("/m/x.gguf")));
        assertEquals("/m/x.gguf: no such file or folder", IoErrors.describe(new NoSuchFileException("/m/x.gguf")));
        assertEquals("/a -> /b: Read-only file system", IoErrors.describe(new FileSystemException("/a", "/b", "Read-only file system")));
        assertEquals("disk full", IoErrors.describe(new IOException("disk full")));
        assertEquals("IOException", IoErrors.describe(new IOException()));
    }
}
