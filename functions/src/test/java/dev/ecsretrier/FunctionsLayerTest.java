package dev.ecsretrier;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.ecsretrier.testutil.ReviewedPublicTypes;
import java.nio.file.Path;

/**
 * The Lambda code's shape, checked on the compiled classes of core and functions together: no
 * package cycles (handlers and AWS adapters on top of the core's packages), and the core's
 * packages reach no AWS code, not even the adapters beside them. The functions use the core's API,
 * never its {@code internal} packages, and their own public types are the reviewed list in
 * {@code functions-public-types.txt} (docs/architecture.md).
 */
@AnalyzeClasses(packages = "dev.ecsretrier",
        importOptions = {ImportOption.DoNotIncludeTests.class, FunctionsLayerTest.NotTestJars.class})
class FunctionsLayerTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ecsretrier.(*)..").should().beFreeOfCycles();

    /** The core module's packages (core's CoreLayerTest lists their public types). */
    static final String[] CORE_PACKAGES = {"dev.ecsretrier.core..", "dev.ecsretrier.port..", "dev.ecsretrier.config..",
        "dev.ecsretrier.rule..", "dev.ecsretrier.json..", "dev.ecsretrier.input..", "dev.ecsretrier.history..",
        "dev.ecsretrier.metrics.."};

    @ArchTest
    static final ArchRule theCorePackagesUseNeitherTheHandlersNorTheAdapters = noClasses()
            .that().resideInAnyPackage(CORE_PACKAGES)
            .should().dependOnClassesThat().resideInAnyPackage("dev.ecsretrier.handler..", "dev.ecsretrier.aws..",
                    "software.amazon..", "com.amazonaws..");

    /**
     * The core's {@code internal} packages are for the core's own packages: what the handlers and
     * adapters need is public in the core's API packages, where a reviewer sees it.
     */
    @ArchTest
    static final ArchRule nothingOutsideTheCoreUsesItsInternals = noClasses()
            .that().resideOutsideOfPackages(CORE_PACKAGES)
            .should().dependOnClassesThat(resideInAnyPackage(CORE_PACKAGES).and(resideInAPackage("..internal..")))
            .as("no classes outside the core should depend on the core's internal packages");

    /**
     * The functions' public types are the handlers the construct and the benchmarks name, the
     * results local renders, and the AWS adapters local and the benchmarks wire: a new public type is
     * an API decision, so it fails here until it is made package-private or added to the list.
     */
    @ArchTest
    static void thePublicTypesAreTheReviewedApi(JavaClasses classes) {
        ReviewedPublicTypes.check(classes, resideInAnyPackage(CORE_PACKAGES).negate(), "/functions-public-types.txt");
    }

    /** docs/architecture.md names every package that has a public type, with who uses it. */
    @ArchTest
    static void theArchitectureGuideNamesEveryPublicPackage(JavaClasses classes) {
        ReviewedPublicTypes.checkPackagesNamedIn(classes, resideInAnyPackage(CORE_PACKAGES).negate(),
                Path.of("..", "docs", "architecture.md"));
    }

    /** core's test-jar (fixtures, fakes) is on this module's test class path; it is not production code. */
    static final class NotTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }
}
