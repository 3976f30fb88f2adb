package dev.edgebench.engine.llama;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.model.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every function the bindings declare exists in the built libraries, and the ggml type table matches them. */
@Tag("native")
class BoundSymbolsNativeTest {
    @BeforeAll
    static void load() {
        LlamaRuntime.get();
    }

    @Test
    void everyBoundFunctionResolvesInTheLoadedLibraries() {
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        List<String> missing = new ArrayList<>();
        int n = 0;
        for (BindingArgs a : BindingArgs.all()) {
            for (String f : a.functions()) {
                n++;
                if (lookup.find(f).isEmpty()) {
                    missing.add(a.file() + ": " + f);
                }
            }
        }
        assertTrue(n > 100, "read the argument files: " + n + " functions");
        assertEquals(List.of(), missing, "bound functions missing from " + LlamaRuntime.get().libraries().libDir());
    }

    @Test
    void ggmlTypeTableEqualsTheLibrarysTypeTraits() {
        for (GgmlType t : GgmlType.values()) {
            assertEquals(t.blockSize(), Ggml.ggml_blck_size(t.id()), t + " block size");
            assertEquals(t.typeSize(), Ggml.ggml_type_size(t.id()), t + " type size");
            assertEquals(t.isQuantized(), Ggml.ggml_is_quantized(t.id()), t + " quantized");
            assertEquals(t.ggmlName(), LlamaRuntime.cString(Ggml.ggml_type_name(t.id())), t + " name");
            for (long n : new long[] {t.blockSize(), 256L * t.blockSize(), 4096L * t.blockSize()}) {
                assertEquals(Ggml.ggml_row_size(t.id(), n), t.rowBytes(n), t + " row of " + n);
            }
        }
        // every live id of the library has an entry (removed ids have block size 0)
        List<Integer> unknown = new ArrayList<>();
        for (int id = 0; id < Ggml.GGML_TYPE_COUNT(); id++) {
            if (Ggml.ggml_blck_size(id) > 0) {
                try {
                    GgmlType.ofId(id);
                } catch (IllegalArgumentException e) {
                    unknown.add(id);
                }
            }
        }
        assertEquals(List.of(), unknown, "ggml type ids without a GgmlType");
    }
}
