package dev.edgebench.model;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ModelForge.cleanPartial: leftovers of dead forges go, running forges, complete models and other files stay. */
class ForgeLeftoversTest {
    @TempDir
    Path cache;

    private Path file(String rel, int bytes) throws Exception {
        Path p = cache.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[bytes]);
    }

    @Test
    void removesPartialFilesAndLocksOfForgesNoOneRuns() throws Exception {
        Path complete = file("m/m-Q4_0-seed1-v1.gguf", 5);
        Path base = file("m/m-Q4_0-seed1-v1.gguf.f16-base", 100);
        Path basePartial = file("m/m-Q4_0-seed1-v1.gguf.f16-base.partial", 30);
        Path quantized = file("m/m-Q8_0-seed1-v1.gguf.quantized.partial", 70);
        Path staleLock = file("m/.m-Q8_0-seed1-v1.gguf.lock", 0);
        Path heldPartial = file("m/m-F16-seed2-v1.gguf.partial", 40);
        Path heldLock = file("m/.m-F16-seed2-v1.gguf.lock", 0);
        Path hereLock = file("other/.o-Q4_0-seed3-v1.gguf.lock", 0);
        Path herePartial = file("other/o-Q4_0-seed3-v1.gguf.quantized.partial", 9);
        Path notes = file("m/notes.partial.txt", 3);
        Path topLevel = file("stray.gguf.partial", 3);

        List<ForgeLeftovers.Removed> removed;
        try (FileChannel ch = FileChannel.open(heldLock, StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            Path here = herePartial.resolveSibling("o-Q4_0-seed3-v1.gguf");
            removed = ForgeLeftovers.clean(cache, here::equals);
        }
        assertEquals(List.of(new ForgeLeftovers.Removed(base, 100), new ForgeLeftovers.Removed(basePartial, 30),
                new ForgeLeftovers.Removed(quantized, 70), new ForgeLeftovers.Removed(staleLock, 0)), removed);
        for (Path kept : List.of(complete, heldPartial, heldLock, hereLock, herePartial, notes, topLevel)) {
            assertTrue(Files.exists(kept), kept + " is kept");
        }
        assertEquals(List.of(new ForgeLeftovers.Removed(heldPartial, 40), new ForgeLeftovers.Removed(herePartial, 9),
                        new ForgeLeftovers.Removed(heldLock, 0), new ForgeLeftovers.Removed(hereLock, 0)),
                ModelForge.cleanPartial(cache), "once the lock is released, and no thread of this JVM forges, the forges are gone");
        assertEquals(List.of(), ModelForge.cleanPartial(cache.resolve("missing")));
    }

    @Test
    void aForgeOfAnotherProcessIsLeftAlone() throws Exception {
        Path partial = file("m/m-Q4_0-seed1-v1.gguf.quantized.partial", 10);
        Path lock = file("m/.m-Q4_0-seed1-v1.gguf.lock", 0);
        Process holder = new ProcessBuilder(TestSupport.javaCommand(LockHolder.class.getName(), lock.toString()))
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("locked", r.readLine(), "the other process holds the lock");
            assertEquals(List.of(), ModelForge.cleanPartial(cache));
            assertTrue(Files.exists(partial) && Files.exists(lock));
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "the holder exits when its input closes");
        } finally {
            holder.destroyForcibly();
        }
        assertEquals(2, ModelForge.cleanPartial(cache).size(), "its owner is gone: partial file and lock");
    }

    /** Holds a file lock until its standard input closes, as a forge in another JVM does. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the test to close our input
                }
            }
        }
    }
}
