package dev.ecsretrier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.ecsretrier.testutil.ReviewedPublicTypes;
import java.nio.file.Path;

/**
 * The core's shape, checked on its compiled classes: its packages (core, port, config, rule, json,
 * input) depend on each other one way only, and nothing in it reaches the AWS SDK or the Lambda
 * runtime (the pom's enforcer rule keeps them off the class path; this keeps them out of the code).
 * Its public types are the reviewed list in {@code core-public-types.txt}: what functions, local and
 * infra may use (docs/architecture.md names the packages).
 */
@AnalyzeClasses(packages = "dev.ecsretrier", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreLayerTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ecsretrier.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theCoreUsesNoAwsSdkAndNoLambdaRuntime = noClasses().that().resideInAPackage("dev.ecsretrier..")
            .should().dependOnClassesThat().resideInAnyPackage("software.amazon..", "com.amazonaws..");

    /**
     * Every public type of the core is one the other modules use, listed and reviewed: a new public
     * type is an API decision (functions, local and infra compile against it), so it fails here until
     * it is either made package-private, moved under an {@code internal} package, or added to the list.
     */
    @ArchTest
    static void thePublicTypesAreTheReviewedApi(JavaClasses classes) {
        ReviewedPublicTypes.check(classes, type -> type.getPackageName().startsWith("dev.ecsretrier."),
                "/core-public-types.txt");
    }

    /** docs/architecture.md names every package that has a public type, with who uses it. */
    @ArchTest
    static void theArchitectureGuideNamesEveryPublicPackage(JavaClasses classes) {
        ReviewedPublicTypes.checkPackagesNamedIn(classes, type -> type.getPackageName().startsWith("dev.ecsretrier."),
                Path.of("..", "docs", "architecture.md"));
    }
}
