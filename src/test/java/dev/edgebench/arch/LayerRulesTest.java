package dev.edgebench.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The project's layers, as rules over the compiled classes (main code only): each rule fails the
 * build when an import crosses a layer the wrong way.
 */
class LayerRulesTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.edgebench");
    }

    static final String[] HARNESS = {"dev.edgebench.engine..", "dev.edgebench.model..", "dev.edgebench.latency..",
            "dev.edgebench.telemetry..", "dev.edgebench.run..", "dev.edgebench.results..", "dev.edgebench.compare..",
            "dev.edgebench.history..", "dev.edgebench.kernel..", "dev.edgebench.bench..", "dev.edgebench.cli..",
            "dev.edgebench.util..", "dev.edgebench.speculative..", "dev.edgebench.engine.http..", "dev.edgebench.profiling..",
            "dev.edgebench.load.."};

    @Test
    void bindingsImportNothingOfTheHarness() {
        check(noClasses().that().resideInAPackage("dev.edgebench.bindings..")
                .should().dependOnClassesThat().resideInAnyPackage(HARNESS));
    }

    @Test
    void profilingHooksKnowNeitherJmhNorTheBenchmarksNorTheResultFormat() {
        check(noClasses().that().resideInAPackage("dev.edgebench.profiling..")
                .should().dependOnClassesThat().resideInAnyPackage("org.openjdk.jmh..", "dev.edgebench.bench..",
                        "dev.edgebench.cli..", "dev.edgebench.results..", "dev.edgebench.compare..", "dev.edgebench.history.."));
    }

    @Test
    void enginesKnowNeitherJmhNorTheResultFormat() {
        check(noClasses().that().resideInAPackage("dev.edgebench.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.openjdk.jmh..", "dev.edgebench.results..",
                        "dev.edgebench.compare..", "dev.edgebench.run..", "dev.edgebench.history..", "dev.edgebench.bench..",
                        "dev.edgebench.cli.."));
    }

    @Test
    void httpEnginesCallNoNativeCode() {
        check(noClasses().that().resideInAPackage("dev.edgebench.engine.http..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.edgebench.bindings..", "dev.edgebench.engine.request..",
                        "java.lang.foreign.."));
    }

    @Test
    void theRequestDriverKnowsNoJmhAndNoNativeBinding() {
        check(noClasses().that().resideInAPackage("dev.edgebench.load..")
                .should().dependOnClassesThat().resideInAnyPackage("org.openjdk.jmh..", "dev.edgebench.bindings..",
                        "dev.edgebench.engine.llama..", "dev.edgebench.engine.request..", "dev.edgebench.bench..",
                        "dev.edgebench.cli..", "dev.edgebench.results..", "dev.edgebench.compare.."));
    }

    @Test
    void latencyMathsIsEngineAgnostic() {
        check(noClasses().that().resideInAPackage("dev.edgebench.latency..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.edgebench.engine..", "dev.edgebench.bindings..",
                        "org.openjdk.jmh..", "dev.edgebench.bench.."));
    }

    @Test
    void speculativeMathsIsEngineAgnostic() {
        check(noClasses().that().resideInAPackage("dev.edgebench.speculative..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.edgebench.engine..", "dev.edgebench.bindings..",
                        "org.openjdk.jmh..", "dev.edgebench.bench..", "dev.edgebench.run.."));
    }

    @Test
    void readingComparingAndStoringResultsNeedNoNativeLibraryAndNoJmh() {
        check(noClasses().that().resideInAnyPackage("dev.edgebench.results..", "dev.edgebench.compare..",
                        "dev.edgebench.history..", "dev.edgebench.run..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.edgebench.bindings..", "dev.edgebench.engine..",
                        "dev.edgebench.kernel..", "dev.edgebench.bench..", "dev.edgebench.telemetry.nvml..", "org.openjdk.jmh.."));
    }

    @Test
    void theModelForgeDoesNotUseJmh() {
        check(noClasses().that().resideInAPackage("dev.edgebench.model..")
                .should().dependOnClassesThat().resideInAnyPackage("org.openjdk.jmh..", "dev.edgebench.bench..",
                        "dev.edgebench.cli..", "dev.edgebench.results..", "dev.edgebench.compare.."));
    }

    @Test
    void noPackageCycles() {
        check(slices().matching("dev.edgebench.(*)..").should().beFreeOfCycles());
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }
}
