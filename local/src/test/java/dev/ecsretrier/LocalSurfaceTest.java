package dev.ecsretrier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Map;
import java.util.TreeSet;

/**
 * The local runtime's public types, each with who needs it: a new public type fails here until it is
 * listed, with its reason, so that the surface grows on purpose only. Everything else is package-private.
 * "Users" are the command line's main class, tests in other packages and a test suite that drives
 * {@link dev.ecsretrier.local.LocalRuntime}; "wiring" marks a type public only because another of local's
 * packages needs it (the runtime or serve wires it), not for users. Types shared by the emulators alone
 * live under {@code local.emulator.internal}. A listed type that is no longer public fails too, so the
 * list stays true.
 */
@AnalyzeClasses(packages = "dev.ecsretrier.local", importOptions = ImportOption.DoNotIncludeTests.class)
class LocalSurfaceTest {

    static final Map<String, String> PUBLIC_TYPES = Map.ofEntries(
            Map.entry("LocalRuntime", "users: the whole loop on one machine"),
            Map.entry("cli.RetrierCommand", "users: the ./retrier main class"),
            Map.entry("serve.AwsEndpoint", "users: serve, the AWS APIs over a runtime (cli, tests)"),
            Map.entry("serve.EndpointHistory", "wiring: cli hands it to the runtime as its history reader"),
            Map.entry("emulator.TimeScale", "users: LocalRuntime's API"),
            Map.entry("emulator.Faults", "users: LocalRuntime's API"),
            Map.entry("emulator.LaunchFault", "users: LocalRuntime's API"),
            Map.entry("emulator.LaunchConditions", "users: conditions for Faults"),
            Map.entry("emulator.LaunchKey", "users: LocalRuntime's API (launch counts)"),
            Map.entry("emulator.DeadLetter", "users: LocalRuntime's API"),
            Map.entry("emulator.TimelineEntry", "users: LocalRuntime's API"),
            Map.entry("emulator.LocalSettings", "users: the local deployment's names (ARNs, functions, queues)"),
            Map.entry("emulator.internal.EmulatorContext", "wiring: what every emulator shares"),
            Map.entry("emulator.internal.Timeline", "wiring: where every emulator records"),
            Map.entry("emulator.internal.PendingWork", "wiring: what is in flight, across the emulators"),
            Map.entry("emulator.internal.JsonLinesFile", "wiring: the emulators' JSON-lines store"),
            Map.entry("ecs.LocalEcs", "users: LocalRuntime.ecs(); wiring: serve's ECS API"),
            Map.entry("ecs.TaskProgram", "users: what tasks run (LocalRuntime.Builder)"),
            Map.entry("ecs.SampleTaskJar", "users: the sample task's command (the runtime client test)"),
            Map.entry("bus.LocalEventBus", "users: LocalRuntime.eventBus(); wiring: serve's EventBridge API"),
            Map.entry("lambda.LocalLambda", "users: LocalRuntime.lambda(); wiring: the bus's target, serve's Lambda API"),
            Map.entry("scheduler.LocalScheduler", "users: LocalRuntime.scheduler(); wiring: serve's Scheduler API"),
            Map.entry("sns.LocalTopic", "users: LocalRuntime.topic(); wiring: serve's SNS API"),
            Map.entry("sns.PublishedNotification", "users: LocalRuntime.notifications()"),
            Map.entry("sqs.LocalQueues", "users: LocalRuntime.queues(); wiring: serve's SQS API"),
            Map.entry("logs.FilterPattern", "wiring: serve's FilterLogEvents and the runtime's history reader"),
            Map.entry("logs.LocalLogs", "users: LocalRuntime.logs(); wiring: serve's Logs API"),
            Map.entry("quota.AwsQuotas", "users: LocalRuntime.quotas(); wiring: Lambda's concurrency, serve"),
            Map.entry("quota.AwsQuota", "users: the quotas by name"),
            Map.entry("quota.ThrottlingException", "wiring: what a throttled emulator throws, serve answers"),
            Map.entry("quota.QuotaPorts", "wiring: the handlers' ports through the quotas"),
            Map.entry("quota.SdkRetries", "wiring: the SDK's retries of a throttled call"),
            Map.entry("quota.TokenBucket", "wiring: one quota's bucket"));

    private static final String LOCAL = "dev.ecsretrier.local";

    @ArchTest
    static final ArchRule everyPublicTypeIsListedWithItsReason = classes().that().areTopLevelClasses().and().arePublic()
            .should(new ArchCondition<JavaClass>("be listed in LocalSurfaceTest.PUBLIC_TYPES") {
                @Override
                public void check(JavaClass type, ConditionEvents events) {
                    if (!PUBLIC_TYPES.containsKey(shortName(type))) {
                        events.add(SimpleConditionEvent.violated(type, type.getName() + " is public but not listed:"
                                + " make it package-private, or list it with who needs it"));
                    }
                }
            });

    @ArchTest
    static void everyListedTypeIsPublic(JavaClasses classes) {
        var publicTypes = new TreeSet<String>();
        classes.stream().filter(JavaClass::isTopLevelClass).filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))
                .forEach(c -> publicTypes.add(shortName(c)));
        assertThat(publicTypes).containsExactlyInAnyOrderElementsOf(PUBLIC_TYPES.keySet());
    }

    private static String shortName(JavaClass type) {
        return type.getName().equals(LOCAL + "." + type.getSimpleName()) ? type.getSimpleName()
                : type.getName().substring(LOCAL.length() + 1);
    }
}
