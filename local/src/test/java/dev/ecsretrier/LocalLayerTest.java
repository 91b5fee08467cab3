package dev.ecsretrier;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;

/**
 * The local runtime's shape, checked on its compiled classes. From the bottom up:
 * <ol>
 *   <li>{@code local.emulator}: the vocabulary its users and every emulator share (time scale, faults,
 *       launch keys, dead letters, timeline entries, the local deployment's names);</li>
 *   <li>{@code local.emulator.internal}: what the emulators share but users do not (their context, the
 *       timeline, the work in flight, the JSON-lines store);</li>
 *   <li>the AWS emulators ({@code quota, lambda, bus, ecs, scheduler, sns, sqs, logs}), which use each
 *       other only where AWS wires them so: an EventBridge rule's target is a Lambda function
 *       (bus → lambda), and Lambda's concurrency is one of the account's quotas (lambda → quota);</li>
 *   <li>{@code local}: {@link dev.ecsretrier.local.LocalRuntime}, which wires the emulators to the real
 *       handlers;</li>
 *   <li>{@code serve}, the AWS APIs over the runtime, and {@code cli} on top.</li>
 * </ol>
 * No package of it, the root package included, is in a cycle with another.
 */
@AnalyzeClasses(packages = "dev.ecsretrier.local", importOptions = ImportOption.DoNotIncludeTests.class)
class LocalLayerTest {

    private static final String LOCAL = "dev.ecsretrier.local";
    private static final Set<String> EMULATORS = Set.of("quota", "lambda", "bus", "ecs", "scheduler", "sns", "sqs",
            "logs");

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().assignedFrom(eachPackage()).should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theLayersPointDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Vocabulary").definedBy(LOCAL + ".emulator")
            .layer("EmulatorInternals").definedBy(LOCAL + ".emulator.internal")
            .layer("Emulators").definedBy(EMULATORS.stream().map(p -> LOCAL + "." + p + "..").toArray(String[]::new))
            .layer("Runtime").definedBy(LOCAL)
            .layer("Serve").definedBy(LOCAL + ".serve..")
            .layer("Cli").definedBy(LOCAL + ".cli..")
            .whereLayer("Cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("Serve").mayOnlyBeAccessedByLayers("Cli")
            .whereLayer("Runtime").mayOnlyBeAccessedByLayers("Serve", "Cli")
            .whereLayer("Emulators").mayOnlyBeAccessedByLayers("Runtime", "Serve", "Cli")
            .whereLayer("EmulatorInternals").mayOnlyBeAccessedByLayers("Emulators", "Runtime", "Serve")
            .whereLayer("Vocabulary").mayOnlyBeAccessedByLayers("EmulatorInternals", "Emulators", "Runtime", "Serve",
                    "Cli");

    @ArchTest
    static final ArchRule theEmulatorsUseEachOtherOnlyAsAwsWiresThem = slices().assignedFrom(emulators())
            .should().notDependOnEachOther()
            .ignoreDependency(inPackage(LOCAL + ".bus"), inPackage(LOCAL + ".lambda"))
            .ignoreDependency(inPackage(LOCAL + ".lambda"), inPackage(LOCAL + ".quota"));

    /** Every package of the local runtime its own slice, {@code dev.ecsretrier.local} itself included. */
    private static SliceAssignment eachPackage() {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String name = javaClass.getPackageName();
                return name.equals(LOCAL) || name.startsWith(LOCAL + ".") ? SliceIdentifier.of(name)
                        : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "each package of the local runtime, its root package included";
            }
        };
    }

    private static SliceAssignment emulators() {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String name = javaClass.getPackageName();
                String emulator = name.startsWith(LOCAL + ".") ? name.substring(LOCAL.length() + 1).split("\\.")[0] : "";
                return EMULATORS.contains(emulator) ? SliceIdentifier.of(emulator) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the AWS emulators " + EMULATORS;
            }
        };
    }

    private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> inPackage(String name) {
        return describe("in " + name, javaClass -> javaClass.getPackageName().startsWith(name));
    }
}
