package dev.edgebench.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A model file the user may not read is reported as "permission denied: PATH" wherever models are
 * opened: not as a stack trace, and not as an invalid GGUF file.
 */
class PermissionDeniedTest {
    @TempDir
    Path tmp;

    private Path unreadableModel() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "llama"));
        w.addTensor("token_embd.weight", new long[] {32, 4}, GgmlType.F32,
                (info, out) -> GgufWriter.writeFully(out, ByteBuffer.allocate((int) info.nBytes())));
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Path p = dir.resolve("secret.gguf");
        w.write(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        return p;
    }

    @Test
    void theHeaderReaderSaysPermissionDenied_whenOpeningIsRefused() throws IOException {
        Path p = unreadableModel();
        ModelFiles.PermissionDeniedException e = assertThrows(ModelFiles.PermissionDeniedException.class,
                () -> GgufFile.read(p, () -> 1L << 30, path -> {
                    throw new AccessDeniedException(path.toString());
                }));
        assertEquals("permission denied: " + p, e.getMessage());
        assertEquals(p, e.path());
    }

    @Test
    void modelFactsOfAChmod000File_saysPermissionDenied() throws IOException, InterruptedException {
        Path p = unreadableModel();
        if (AsNobody.available()) {
            // root reads it anyway: ask as nobody
            AsNobody.openToOthers(p.getParent());
            assertEquals("error PermissionDeniedException: permission denied: " + p, AsNobody.probe(tmp, List.of(), "facts", p.toString()));
        } else {
            assumeTrue(!Files.isReadable(p), "this user reads files without permission");
            assertEquals("permission denied: " + p,
                    assertThrows(ModelFiles.PermissionDeniedException.class, () -> ModelFacts.of(p)).getMessage());
        }
    }
}
