package dev.ecsretrier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The Lambda code's shape, checked on the compiled classes of core and functions together: no
 * package cycles (handlers and AWS adapters on top of the core's packages), and the core's
 * packages reach no AWS code, not even the adapters beside them.
 */
@AnalyzeClasses(packages = "dev.ecsretrier",
        importOptions = {ImportOption.DoNotIncludeTests.class, FunctionsLayerTest.NotTestJars.class})
class FunctionsLayerTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ecsretrier.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theCorePackagesUseNeitherTheHandlersNorTheAdapters = noClasses()
            .that().resideInAnyPackage("dev.ecsretrier.core..", "dev.ecsretrier.port..", "dev.ecsretrier.config..",
                    "dev.ecsretrier.rule..", "dev.ecsretrier.json..", "dev.ecsretrier.input..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.ecsretrier.handler..", "dev.ecsretrier.aws..",
                    "software.amazon..", "com.amazonaws..");

    /** core's test-jar (fixtures, fakes) is on this module's test class path; it is not production code. */
    static final class NotTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }
}
