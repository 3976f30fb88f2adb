package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bindings' assumptions about the C ABI hold where the engine runs: every struct jextract laid
 * out (on the machine that generated the bindings) has the same size, alignment and member offsets
 * as the C compiler gives it, for this host and for aarch64 Linux (the Jetson boards), the latter
 * cross-compiled with Debian's aarch64-linux-gnu-gcc and run under qemu-user.
 *
 * <p>Without those tools the aarch64 case is skipped with the reason; {@code make test} installs
 * them where it can, and {@code -Dedgebench.abi.require=true} ({@code make check-jetson}) turns the
 * skip into a failure. The probe and its outputs stay in {@code target/abi/} for inspection.
 */
class AbiLayoutTest {
    private static final boolean REQUIRED = Boolean.getBoolean("edgebench.abi.require");

    @Test
    void hostCompilerAgreesWithTheBindings() {
        Optional<Path> cc = onPath("cc").or(() -> onPath("gcc"));
        require(cc.isPresent(), "no C compiler (cc, gcc) on PATH");
        check(new AbiLayoutProbe.Target(hostArch(), List.of(cc.get().toString()), List.of()));
    }

    @Test
    void aarch64CompilerUnderEmulationAgreesWithTheBindings() {
        Assumptions.assumeFalse(hostArch().equals("aarch64"), "this host is aarch64: the host compiler's case covers it");
        Optional<Path> gcc = onPath("aarch64-linux-gnu-gcc");
        Optional<Path> qemu = onPath("qemu-aarch64-static").or(() -> onPath("qemu-aarch64"));
        require(gcc.isPresent() && qemu.isPresent(), "needs aarch64-linux-gnu-gcc and qemu-aarch64(-static) on PATH "
                + "(scripts/ensure-tools.sh jetson-abi installs them); found " + gcc.map(Path::toString).orElse("no cross compiler")
                + ", " + qemu.map(Path::toString).orElse("no emulator"));
        // static, so the emulator needs no aarch64 loader or libc on this host
        check(new AbiLayoutProbe.Target("aarch64", List.of(gcc.get().toString(), "-static"), List.of(qemu.get().toString())));
    }

    @Test
    void aMovedMemberOrADifferentSizeIsReported() {
        Map<String, AbiLayoutProbe.Member> m = new LinkedHashMap<>();
        m.put("a", new AbiLayoutProbe.Member(0, 4));
        m.put("b", new AbiLayoutProbe.Member(8, 8));
        Map<String, AbiLayoutProbe.Struct> java = Map.of("s", new AbiLayoutProbe.Struct(16, 8, m));
        assertEquals(List.of(), AbiLayoutProbe.differences(java, AbiLayoutProbe.parse("struct s 16 8\nmember s a 0 4\nmember s b 8 8\n")));
        assertEquals(List.of("s: size 16 in the bindings, sizeof 24", "s.b: offset/size 8/8 in the bindings, 16/8 from the compiler"),
                AbiLayoutProbe.differences(java, AbiLayoutProbe.parse("struct s 24 8\nmember s a 0 4\nmember s b 16 8\n")));
        assertEquals(List.of("s.b: not in the probe's output"),
                AbiLayoutProbe.differences(java, AbiLayoutProbe.parse("struct s 16 8\nmember s a 0 4\n")));
    }

    private static void check(AbiLayoutProbe.Target target) {
        List<BindingArgs> args = AbiLayoutProbe.probedArgs();
        assertFalse(args.isEmpty(), "no argument file in bindings/ names its headers");
        Path headers = TestSupport.llamaSource().resolve("include/llama.h");
        require(Files.isRegularFile(headers), "no pinned engine source at " + TestSupport.llamaSource() + " (native/fetch-source.sh)");
        Map<String, AbiLayoutProbe.Struct> java = AbiLayoutProbe.javaLayouts(args);
        Path dir = TestSupport.projectDir().resolve("target/abi");
        try {
            Files.createDirectories(dir);
            Path source = dir.resolve("layout-probe.c");
            Files.writeString(source, AbiLayoutProbe.cSource(args, java));
            String output = AbiLayoutProbe.compileAndRun(target, source, AbiLayoutProbe.includeOptions(args), dir);
            Files.writeString(dir.resolve("layout-" + target.name() + ".txt"), output);
            Map<String, AbiLayoutProbe.Struct> c = AbiLayoutProbe.parse(output);
            assertEquals(java.keySet(), c.keySet(), target.name() + ": structs probed");
            List<String> diffs = AbiLayoutProbe.differences(java, c);
            int members = java.values().stream().mapToInt(s -> s.members().size()).sum();
            assertTrue(diffs.isEmpty(), target.name() + ": the bindings' layouts differ from the compiler's:\n  " + String.join("\n  ", diffs));
            System.out.println("abi-layout " + target.name() + ": " + java.size() + " structs, " + members
                    + " members agree with the bindings (" + String.join(", ", java.keySet()) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(boolean condition, String reason) {
        if (!condition) {
            if (REQUIRED) {
                throw new AssertionError("edgebench.abi.require is set, but " + reason);
            }
            Assumptions.abort(reason);
        }
    }

    private static String hostArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    private static Optional<Path> onPath(String tool) {
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        return dirs.stream().map(d -> d.resolve(tool)).filter(Files::isExecutable).findFirst();
    }
}
