package dev.edgebench.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.TestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pinned llama.cpp source still matches what the committed bindings were generated from, and
 * the built engine is the pinned one. Needs the fetched source and the CPU build.
 */
@Tag("native")
class BindingsDriftNativeTest {
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"", Pattern.MULTILINE);
    private static Path src;

    @BeforeAll
    static void source() {
        src = TestSupport.llamaSource();
        assertTrue(Files.isRegularFile(src.resolve("include/llama.h")),
                "the pinned llama.cpp source is missing at " + src + "; run `make native` (native/fetch-source.sh)");
    }

    /** @return header path relative to the source root -> recorded sha256 */
    private static Map<String, String> recorded() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(TestSupport.projectDir().resolve("bindings/headers.sha256"))) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("\\s+", 2);
            assertEquals(64, f[0].length(), "a sha256 in bindings/headers.sha256: " + line);
            out.put(f[1], f[0]);
        }
        return out;
    }

    @Test
    void pinnedHeadersMatchTheRecordedHashes() throws IOException {
        Map<String, String> want = recorded();
        Map<String, String> got = new TreeMap<>();
        for (String h : want.keySet()) {
            Path p = src.resolve(h);
            got.put(h, Files.isRegularFile(p) ? TestSupport.sha256(p) : "missing");
        }
        assertEquals(new TreeMap<>(want), got, "the headers under " + src + " differ from those the bindings were generated from;"
                + " regenerate with `make bindings` and commit bindings/ together with the new hashes");
    }

    @Test
    void theHashScriptAndTheRecordCoverEveryHeaderTheBindingsInclude() throws IOException {
        // every header reachable through quoted includes from the two jextract inputs
        Set<String> reachable = new TreeSet<>();
        Deque<Path> todo = new ArrayDeque<>(List.of(src.resolve("include/llama.h"),
                TestSupport.projectDir().resolve("bindings/edgebench-ggml.h")));
        List<Path> includeDirs = List.of(src.resolve("include"), src.resolve("ggml/include"));
        while (!todo.isEmpty()) {
            Path h = todo.pop();
            if (h.startsWith(src) && !reachable.add(src.relativize(h).toString())) {
                continue;
            }
            Matcher m = INCLUDE.matcher(Files.readString(h));
            while (m.find()) {
                String name = m.group(1);
                Path found = includeDirs.stream().map(d -> d.resolve(name)).filter(Files::isRegularFile).findFirst()
                        .orElseThrow(() -> new AssertionError(h + " includes " + name + ", found in no include folder"));
                todo.push(found);
            }
        }
        assertEquals(reachable, new TreeSet<>(recorded().keySet()), "bindings/headers.sha256 vs the headers the bindings read");

        String script = Files.readString(TestSupport.projectDir().resolve("scripts/header-hashes.sh"));
        Set<String> scripted = new TreeSet<>();
        Matcher m = Pattern.compile("(?:include|ggml/include)/[A-Za-z0-9_-]+\\.h").matcher(script);
        while (m.find()) {
            scripted.add(m.group());
        }
        assertEquals(reachable, scripted, "scripts/header-hashes.sh hashes another set of headers");
    }

    @Test
    void fetchedSourceAndBuiltEngineAreThePinnedRelease() throws IOException {
        Properties lock = new Properties();
        try (var r = Files.newBufferedReader(TestSupport.projectDir().resolve("native/engine.lock"))) {
            lock.load(r);
        }
        Path stamp = TestSupport.projectDir().resolve("native/src/.fetched-" + lock.getProperty("NPM_PACKAGE") + "-"
                + lock.getProperty("NPM_VERSION"));
        assertTrue(Files.isRegularFile(stamp), "fetch stamp " + stamp);
        String[] fetched = Files.readString(stamp).strip().split(" ");
        assertEquals(lock.getProperty("NPM_SHA256"), fetched[0], "npm tarball sha256 in the stamp");
        assertEquals(lock.getProperty("LLAMA_CPP_RELEASE"), fetched[1], "release in the stamp");

        String cmake = Files.readString(src.resolve("ggml/CMakeLists.txt"));
        String ggml = String.join(".", find(cmake, "GGML_VERSION_MAJOR"), find(cmake, "GGML_VERSION_MINOR"),
                find(cmake, "GGML_VERSION_PATCH"));
        assertEquals(lock.getProperty("GGML_VERSION"), ggml, "ggml version of the source");

        Path manifest = TestSupport.nativeBuildDir().resolve("cpu/manifest.json");
        JsonNode man = new ObjectMapper().readTree(manifest.toFile());
        JsonNode engine = man.path("engine");
        assertEquals("npm", engine.path("source").asText(), manifest + " engine.source");
        assertEquals(lock.getProperty("LLAMA_CPP_RELEASE"), engine.path("release").asText());
        assertEquals(lock.getProperty("GGML_VERSION"), engine.path("ggmlVersion").asText());
        assertEquals(lock.getProperty("NPM_SHA256"), engine.path("sourceSha256").asText());
        assertEquals(fetched[2], engine.path("gitCommit").asText(), "the build's commit is the fetched one");
        for (JsonNode lib : man.path("libraries")) {
            Path f = manifest.resolveSibling("lib").resolve(lib.path("file").asText());
            assertEquals(lib.path("sha256").asText(), TestSupport.sha256(f), "library " + f + " changed since it was built");
        }
    }

    private static String find(String cmake, String var) {
        Matcher m = Pattern.compile("set\\(" + var + " (\\d+)\\)").matcher(cmake);
        assertTrue(m.find(), var + " in ggml/CMakeLists.txt");
        return m.group(1);
    }
}
