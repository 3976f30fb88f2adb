package dev.edgebench.engine.llama;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.LlamaFileType;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed bindings agree with their argument files, and the hand-written enums agree with
 * the bound C constants. Constants are compiled into the bindings, so no library is loaded here.
 */
class BindingsConsistencyTest {

    @Test
    void everyIncludedFunctionAndConstantHasAGeneratedMethod() {
        List<String> missing = new ArrayList<>();
        for (BindingArgs a : BindingArgs.all()) {
            Class<?> header = a.headerType();
            Set<String> methods = new TreeSet<>();
            for (Method m : header.getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) {
                    methods.add(m.getName());
                }
            }
            for (String f : a.functions()) {
                if (!methods.contains(f)) {
                    missing.add(a.file() + ": function " + f);
                }
            }
            for (String c : a.constants()) {
                if (!methods.contains(c)) {
                    missing.add(a.file() + ": constant " + c);
                }
            }
            for (String s : a.structs()) {
                try {
                    Class.forName(a.targetPackage() + "." + s, false, getClass().getClassLoader());
                } catch (ClassNotFoundException e) {
                    missing.add(a.file() + ": struct " + s);
                }
            }
        }
        assertEquals(List.of(), missing, "bindings/src is out of date with the argument files; run `make bindings`");
    }

    private static int constant(Class<?> header, String name) {
        try {
            return (int) header.getMethod(name).invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(header.getSimpleName() + " has no constant " + name, e);
        }
    }

    @Test
    void ggmlTypeIdsEqualTheBoundEnum() {
        for (GgmlType t : GgmlType.values()) {
            assertEquals(constant(Ggml.class, "GGML_TYPE_" + t.name()), t.id(), "GGML_TYPE_" + t.name());
        }
        // and the other way round: every bound type has an entry
        int count = Ggml.GGML_TYPE_COUNT();
        for (Method m : Ggml.class.getMethods()) {
            String n = m.getName();
            if (n.startsWith("GGML_TYPE_") && !n.equals("GGML_TYPE_COUNT") && m.getParameterCount() == 0) {
                int id = constant(Ggml.class, n);
                assertEquals(n.substring("GGML_TYPE_".length()), GgmlType.ofId(id).name(), n);
                assertTrue(id < count, n + " < GGML_TYPE_COUNT");
            }
        }
    }

    @Test
    void llamaFileTypeIdsEqualTheBoundEnum() {
        for (LlamaFileType t : LlamaFileType.values()) {
            String name = t == LlamaFileType.F32 ? "LLAMA_FTYPE_ALL_F32" : "LLAMA_FTYPE_MOSTLY_" + t.name();
            assertEquals(constant(Llama.class, name), t.id(), name);
        }
        List<String> unnamed = new ArrayList<>();
        for (Method m : Llama.class.getMethods()) {
            String n = m.getName();
            if (n.startsWith("LLAMA_FTYPE_MOSTLY_") && m.getParameterCount() == 0) {
                LlamaFileType t = LlamaFileType.ofId(constant(Llama.class, n));
                if (t == null || !n.equals("LLAMA_FTYPE_MOSTLY_" + t.name())) {
                    unnamed.add(n);
                }
            }
        }
        assertEquals(List.of(), unnamed, "bound file types without a LlamaFileType of the same name");
        assertEquals(null, LlamaFileType.ofId(Llama.LLAMA_FTYPE_GUESSED()));
    }

    @Test
    void enumNamesParseInAnyCase() {
        for (GgmlType t : GgmlType.values()) {
            assertEquals(t, GgmlType.parse(t.ggmlName()));
            assertEquals(t, GgmlType.parse(t.name().toLowerCase(java.util.Locale.ROOT)));
        }
        for (LlamaFileType t : LlamaFileType.values()) {
            assertEquals(t, LlamaFileType.parse(t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LlamaFileType.parse("Q9_9"));
        assertTrue(e.getMessage().contains("Q9_9") && e.getMessage().contains("Q4_K_M"), e.getMessage());
        assertTrue(Arrays.stream(GgmlType.values()).map(GgmlType::id).distinct().count() == GgmlType.values().length);
    }
}
