package dev.ecsretrier.infra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The construct's shape, checked on its compiled classes: it uses the core's public API (the rule
 * pattern, the settings and their limits, the metric names), never the core's {@code internal}
 * packages (the pom's enforcer rule keeps the AWS SDK clients off its class path).
 */
@AnalyzeClasses(packages = "dev.ecsretrier", importOptions = ImportOption.DoNotIncludeTests.class)
class InfraLayerTest {

    @ArchTest
    static final ArchRule theConstructUsesNoInternalPackageOfTheCore = noClasses()
            .that().resideInAPackage("dev.ecsretrier.infra..")
            .should().dependOnClassesThat().resideInAPackage("dev.ecsretrier..internal..");
}
