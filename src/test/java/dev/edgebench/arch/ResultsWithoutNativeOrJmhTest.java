package dev.edgebench.arch;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading, comparing and reporting results run on a machine with neither the engine's bindings
 * nor JMH: every class of the results, compare and run packages is loaded and initialized by a
 * class loader that hides {@code dev.edgebench.bindings} and {@code org.openjdk.jmh}, and a real
 * run/1 file from an earlier version is read, summarized and compared with itself through it.
 */
class ResultsWithoutNativeOrJmhTest {
    private static final List<String> HIDDEN = List.of("dev.edgebench.bindings.", "org.openjdk.jmh.");
    private static final Path RUN = Path.of("results/reference/nvidia-h100-80gb-hbm3/quick-Llama-3_2-1B_Q4_0");

    /** A class loader over the test class path that refuses the hidden packages. */
    static final class Hiding extends URLClassLoader {
        Hiding(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String h : HIDDEN) {
                if (name.startsWith(h)) {
                    throw new ClassNotFoundException(name + " is hidden in this test");
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    static Hiding loader() throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(p).toUri().toURL());
        }
        return new Hiding(urls.toArray(URL[]::new));
    }

    @Test
    void theHidingLoaderReallyHidesJmhAndTheBindings() throws Exception {
        try (Hiding l = loader()) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("org.openjdk.jmh.runner.Runner", true, l));
            assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.edgebench.bindings.llama.Llama", true, l));
            // and a class that needs them cannot be initialized through it
            assertThrows(Throwable.class, () -> Class.forName("dev.edgebench.bench.RunExecutor", true, l)
                    .getMethod("checkJmhArgs", List.class).invoke(null, List.of()));
        }
    }

    @Test
    void everyResultsCompareAndRunClassLoadsWithoutThem() throws Exception {
        Path classes = Path.of("target/classes");
        int loaded = 0;
        try (Hiding l = loader(); Stream<Path> s = Files.walk(classes)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.startsWith("dev.edgebench.results.") || name.startsWith("dev.edgebench.compare.")
                        || name.startsWith("dev.edgebench.run.") || name.startsWith("dev.edgebench.history.")) {
                    Class.forName(name, true, l);
                    loaded++;
                }
            }
        }
        assertTrue(loaded > 30, "loaded " + loaded + " classes");
    }

    @Test
    void aRunOneFileIsReadSummarizedAndComparedWithoutThem() throws Exception {
        try (Hiding l = loader()) {
            Class<?> loader = Class.forName("dev.edgebench.compare.ResultLoader", true, l);
            Object rs = loader.getMethod("load", Path.class).invoke(null, RUN);
            Method benchmarks = rs.getClass().getMethod("benchmarks");
            assertEquals(2, ((java.util.Map<?, ?>) benchmarks.invoke(rs)).size());
            Class<?> docs = Class.forName("dev.edgebench.run.RunDocuments", true, l);
            Object doc = docs.getMethod("read", Path.class).invoke(null, RUN.resolve("run.json"));
            Class<?> summary = Class.forName("dev.edgebench.results.Summary", true, l);
            String md = (String) summary.getMethod("markdown", doc.getClass()).invoke(null, doc);
            assertTrue(md.contains("| Llama-3.2-1B | Q4_0 | 1 |"), md);
        }
    }
}
