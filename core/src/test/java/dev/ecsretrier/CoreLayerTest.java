package dev.ecsretrier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The core's shape, checked on its compiled classes: its packages (core, port, config, rule, json,
 * input) depend on each other one way only, and nothing in it reaches the AWS SDK or the Lambda
 * runtime (the pom's enforcer rule keeps them off the class path; this keeps them out of the code).
 */
@AnalyzeClasses(packages = "dev.ecsretrier", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreLayerTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ecsretrier.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theCoreUsesNoAwsSdkAndNoLambdaRuntime = noClasses().that().resideInAPackage("dev.ecsretrier..")
            .should().dependOnClassesThat().resideInAnyPackage("software.amazon..", "com.amazonaws..");
}
