package dev.edgebench.engine.llama;

import dev.edgebench.TestSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One jextract argument file of {@code bindings/}: what it asks jextract to generate, and from which
 * headers ({@code -I} folders and header paths relative to the project root; no headers when the
 * header is given on jextract's command line, as for NVML).
 */
record BindingArgs(String file, String targetPackage, String headerClass, List<String> functions, List<String> constants,
                   List<String> structs, List<String> typedefs, List<String> includeDirs, List<String> headers) {

    static BindingArgs read(String name) {
        Path p = TestSupport.projectDir().resolve("bindings").resolve(name);
        List<String> lines;
        try {
            lines = Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pkg = null;
        String cls = null;
        List<String> functions = new ArrayList<>();
        List<String> constants = new ArrayList<>();
        List<String> structs = new ArrayList<>();
        List<String> typedefs = new ArrayList<>();
        List<String> includeDirs = new ArrayList<>();
        List<String> headers = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] kv = line.split("\\s+", 2);
            String value = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "--target-package" -> pkg = value;
                case "--header-class-name" -> cls = value;
                case "--include-function" -> functions.add(value);
                case "--include-constant" -> constants.add(value);
                case "--include-struct" -> structs.add(value);
                case "--include-typedef" -> typedefs.add(value);
                case "-I" -> includeDirs.add(value);
                default -> {
                    if (!kv[0].startsWith("-")) {
                        headers.add(kv[0]);
                    }
                }
            }
        }
        if (pkg == null || cls == null || functions.isEmpty()) {
            throw new IllegalStateException(p + ": no --target-package, --header-class-name or --include-function");
        }
        return new BindingArgs(name, pkg, cls, List.copyOf(functions), List.copyOf(constants), List.copyOf(structs),
                List.copyOf(typedefs), List.copyOf(includeDirs), List.copyOf(headers));
    }

    static List<BindingArgs> all() {
        return List.of(read("llama.args"), read("ggml.args"));
    }

    Class<?> headerType() {
        try {
            return Class.forName(targetPackage + "." + headerClass, false, BindingArgs.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(file + ": generated header class " + targetPackage + "." + headerClass + " is missing", e);
        }
    }
}
