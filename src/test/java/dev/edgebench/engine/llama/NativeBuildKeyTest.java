package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code native/build.sh} decides that a build is up to date from what it is made of (source,
 * flags, profile), not from where the checkout lies: a checkout copied elsewhere with its build
 * folder is not configured or compiled again, and a changed source is. Runs the real script on a
 * stand-in llama.cpp source (a small git repository) with a stand-in {@code cmake} on PATH that
 * records every call and produces the files a build would.
 */
class NativeBuildKeyTest {
    private static final String FAKE_CMAKE = """
            #!/usr/bin/env bash
            echo "$*" >> "$CMAKE_LOG"
            if [ "$1" = "--build" ]; then
              dir=$2
              mkdir -p "$dir/bin" "$dir/ggml/src"
              for l in libggml-base.so libggml.so; do echo "$l" > "$dir/ggml/src/$l"; done
              echo libllama > "$dir/bin/libllama.so"
              for t in llama-simple llama-bench test-backend-ops; do echo "$t" > "$dir/bin/$t"; done
              echo "[1/1] Linking CXX shared library bin/libllama.so"
              exit 0
            fi
            while [ $# -gt 0 ]; do [ "$1" = -B ] && dir=$2; shift; done
            mkdir -p "$dir"
            printf 'CMAKE_CXX_COMPILER:FILEPATH=/usr/bin/c++\\nCMAKE_BUILD_TYPE:STRING=Release\\nCMAKE_GENERATOR:INTERNAL=Ninja\\nGGML_CPU:BOOL=ON\\n' > "$dir/CMakeCache.txt"
            printf 'build ggml/src/CMakeFiles/ggml-cpu.dir/ggml-cpu/ggml-cpu.c.o: C_COMPILER\\n  FLAGS = -O3 -mavx2\\n' > "$dir/build.ninja"
            """;
    private static final String ARCH_TABLE = """
            static const std::map<llm_arch, const char *> LLM_ARCH_NAMES = {
                { LLM_ARCH_LLAMA,            "llama"            },
                { LLM_ARCH_QWEN3,            "qwen3"            },
                { LLM_ARCH_UNKNOWN,          "(unknown)"        },
            };
            """;

    @TempDir
    Path tmp;
    private Path cmakeLog;
    private Path bin;

    @BeforeEach
    void checkoutWithAStandInSource() throws IOException, InterruptedException {
        Path project = TestSupport.projectDir();
        Path a = tmp.resolve("a");
        for (String f : List.of("native/build.sh", "native/architectures.sh", "native/fetch-source.sh", "native/engine.lock")) {
            copy(project.resolve(f), a.resolve(f));
        }
        for (String dir : List.of("native/profiles", "native/toolchains")) {
            try (Stream<Path> s = Files.list(project.resolve(dir))) {
                for (Path p : s.toList()) {
                    copy(p, a.resolve(dir).resolve(p.getFileName()));
                }
            }
        }
        Path src = a.resolve("native/src/llama.cpp");
        write(src.resolve("include/llama.h"), "/* llama.h */\n");
        write(src.resolve("ggml/CMakeLists.txt"), "set(GGML_VERSION_MAJOR 0)\nset(GGML_VERSION_MINOR 25)\nset(GGML_VERSION_PATCH 1)\n");
        write(src.resolve("src/llama-arch.cpp"), ARCH_TABLE);
        run(src, "git", "init", "-q");
        run(src, "git", "add", ".");
        run(src, "git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "stand-in source");
        // the pinned source is there: fetch-source.sh does nothing
        write(a.resolve("native/src/.fetched-node-llama-cpp-3.22.1"), "");
        bin = tmp.resolve("bin");
        write(bin.resolve("cmake"), FAKE_CMAKE);
        cmakeLog = tmp.resolve("cmake.log");
        Files.writeString(cmakeLog, "");
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    }

    /** Runs {@code <checkout>/native/build.sh cpu}; returns its output and the cmake calls it made. */
    private List<String> build(Path checkout, StringBuilder output) throws IOException, InterruptedException {
        long before = Files.readAllLines(cmakeLog).size();
        String out = runBuild(checkout);
        output.setLength(0);
        output.append(out);
        List<String> calls = Files.readAllLines(cmakeLog);
        return calls.subList((int) before, calls.size());
    }

    private String runBuild(Path checkout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", checkout.resolve("native/build.sh").toString(), "cpu")
                .directory(checkout.toFile()).redirectErrorStream(true);
        for (String v : List.of("LLAMA_CPP_SRC", "BUILD_NAME", "TARGETS", "CPU_ISA", "CROSS")) {
            pb.environment().remove(v);
        }
        pb.environment().put("PATH", bin + ":" + pb.environment().get("PATH"));
        pb.environment().put("CMAKE_LOG", cmakeLog.toString());
        pb.environment().put("JOBS", "1");
        // the request engines link the real libllama, which a fake cmake does not make
        pb.environment().put("REQUEST_ENGINES", "off");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aCheckoutMovedWithItsBuild_isUpToDate_andAChangedSourceIsNot() throws Exception {
        Path a = tmp.resolve("a");
        StringBuilder out = new StringBuilder();
        List<String> first = build(a, out);
        assertEquals(2, first.size(), "configure and build: " + first + "\n" + out);
        assertTrue(first.get(0).startsWith("-S " + a.resolve("native/src/llama.cpp")), first.get(0));
        assertTrue(first.get(1).startsWith("--build "), first.get(1));
        Path build = a.resolve("native/build/cpu");
        assertTrue(Files.isRegularFile(build.resolve("manifest.json")), out.toString());
        assertEquals(List.of("llama", "qwen3"), Files.readAllLines(build.resolve("architectures.txt")));

        assertEquals(List.of(), build(a, out), "nothing changed: no cmake call\n" + out);
        assertTrue(out.toString().contains("native: cpu is up to date (" + build + ")"), out.toString());

        // moved (copied, as a re-clone with the build folder carried over would be) to another path
        Path b = tmp.resolve("elsewhere/b");
        Files.createDirectories(b.getParent());
        run(tmp, "cp", "-a", a.toString(), b.toString());
        assertEquals(List.of(), build(b, out), "the same content at another path: no cmake call\n" + out);
        assertTrue(out.toString().contains("native: cpu is up to date (" + b.resolve("native/build/cpu") + ")"), out.toString());

        // a changed source file is built again
        Files.writeString(b.resolve("native/src/llama.cpp/include/llama.h"), "/* changed */\n", StandardOpenOption.APPEND);
        List<String> changed = build(b, out);
        assertTrue(changed.stream().anyMatch(c -> c.startsWith("--build " + b.resolve("native/build/cpu/cmake"))),
                changed + "\n" + out);
        assertEquals(List.of(), build(b, out), "and is up to date after that\n" + out);
    }
}
