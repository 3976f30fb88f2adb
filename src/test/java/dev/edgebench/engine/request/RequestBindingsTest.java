package dev.edgebench.engine.request;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;

import dev.edgebench.TestSupport;
import dev.edgebench.bindings.request.EdgebenchRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The committed request bindings were generated from the header as it is now, cover every
 * function and constant it declares, and the hand-written mirrors of its constants agree. No
 * native library is loaded.
 */
class RequestBindingsTest {
    private static final Path HEADER = TestSupport.projectDir().resolve("native/shim/edgebench_request.h");

    @Test
    void theHeaderIsTheOneTheBindingsWereGeneratedFrom() throws IOException {
        List<String> lines = Files.readAllLines(TestSupport.projectDir().resolve("bindings/request-header.sha256"));
        String record = lines.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).findFirst().orElseThrow();
        assertEquals(TestSupport.sha256(HEADER) + "  native/shim/edgebench_request.h", record,
                "native/shim/edgebench_request.h changed since bindings/src/dev/edgebench/bindings/request was generated;"
                        + " run `make bindings` and commit both");
    }

    @Test
    void theArgumentFileAndTheBindingsCoverEveryFunctionAndConstant() throws IOException {
        String h = Files.readString(HEADER);
        Set<String> declared = new TreeSet<>();
        Matcher f = Pattern.compile("EBR_API\\s+\\w+\\s+\\*?(ebr_\\w+)\\(").matcher(h);
        while (f.find()) {
            declared.add("--include-function " + f.group(1));
        }
        Matcher c = Pattern.compile("^#define (EBR_\\w+) ", Pattern.MULTILINE).matcher(h);
        while (c.find()) {
            if (!Set.of("EBR_NOEXCEPT", "EBR_API").contains(c.group(1))) {
                declared.add("--include-constant " + c.group(1));
            }
        }
        Set<String> args = new TreeSet<>();
        for (String line : Files.readAllLines(TestSupport.projectDir().resolve("bindings/request.args"))) {
            if (line.startsWith("--include-function ") || line.startsWith("--include-constant ")) {
                args.add(line.strip());
            }
        }
        assertEquals(declared, args, "bindings/request.args vs the functions and constants of edgebench_request.h");

        Set<String> generated = new TreeSet<>();
        for (Method m : EdgebenchRequest.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                generated.add(m.getName());
            }
        }
        List<String> missing = new ArrayList<>();
        for (String a : args) {
            String name = a.substring(a.indexOf(' ') + 1);
            if (!generated.contains(name)) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "generated EdgebenchRequest lacks these; run `make bindings`");
    }

    @Test
    void finishReasonsAndErrorNamesMirrorTheHeader() {
        assertEquals(EdgebenchRequest.EBR_FINISH_UNKNOWN(), FinishReason.UNKNOWN.code());
        assertEquals(EdgebenchRequest.EBR_FINISH_NOT_FINISHED(), FinishReason.NOT_FINISHED.code());
        assertEquals(EdgebenchRequest.EBR_FINISH_END_ID(), FinishReason.END_ID.code());
        assertEquals(EdgebenchRequest.EBR_FINISH_STOP_WORDS(), FinishReason.STOP_WORDS.code());
        assertEquals(EdgebenchRequest.EBR_FINISH_LENGTH(), FinishReason.LENGTH.code());
        assertEquals(EdgebenchRequest.EBR_FINISH_TIMED_OUT(), FinishReason.TIMED_OUT.code());
        assertEquals(EdgebenchRequest.EBR_FINISH_CANCELLED(), FinishReason.CANCELLED.code());
        for (FinishReason r : FinishReason.values()) {
            assertEquals(r, FinishReason.ofCode(r.code()));
        }
        assertEquals(FinishReason.UNKNOWN, FinishReason.ofCode(17), "a reason a newer engine adds");
        assertEquals("EBR_ERR_BUFFER_TOO_SMALL", RequestEngineException.codeName(EdgebenchRequest.EBR_ERR_BUFFER_TOO_SMALL()));
        assertEquals("EBR_ERR_LOAD", RequestEngineException.codeName(EdgebenchRequest.EBR_ERR_LOAD()));
    }
}
