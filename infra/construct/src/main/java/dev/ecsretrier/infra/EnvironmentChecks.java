package dev.ecsretrier.infra;

import dev.ecsretrier.config.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.amazon.awscdk.services.lambda.Function;
import software.constructs.Construct;
import software.constructs.IValidation;

/**
 * Mistakes in the functions' environment that only show once the whole app is built, checked at synthesis so that
 * {@code cdk synth} refuses them rather than every run failing (a misspelt essential container) or CloudFormation
 * (an environment over Lambda's 4 KB).
 */
final class EnvironmentChecks {

    /** The prop behind each variable whose size a user controls, for the 4 KB check's message. */
    private static final Map<String, String> PROP_OF_VARIABLE = Map.ofEntries(
            Map.entry(Setting.RULES.variable(), "rules"),
            Map.entry(Setting.CAPACITY_PROVIDER_STRATEGY.variable(), "capacityProviderStrategies"),
            Map.entry(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable(), "fallbackCapacityProviderStrategy"),
            Map.entry(Setting.RETRYABLE_EXIT_CODES.variable(), "retryableExitCodes"),
            Map.entry(Setting.ESSENTIAL_CONTAINERS.variable(), "essentialContainers"),
            Map.entry(Setting.CONTAINER_NAME.variable(), "containerName"),
            Map.entry(Setting.CONTAINER_NAMES.variable(), "containerNames"),
            Map.entry(Setting.STARTED_BY.variable(), "startedBy"),
            Map.entry(Setting.SUBNETS.variable(), "taskSubnets"),
            Map.entry(Setting.SECURITY_GROUPS.variable(), "securityGroups"),
            Map.entry(Setting.CLUSTER.variable(), "cluster"),
            Map.entry(Setting.TASK_DEFINITION.variable(), "taskDefinition"),
            Map.entry(Setting.TOPIC_ARN.variable(), "topic"));

    private EnvironmentChecks() {
    }

    /**
     * A misspelt essential container would make every run fail, and a misspelt overridable container every RunTask (ECS
     * refuses an override for a container the task definition does not have); checked at synthesis, when every
     * container is added.
     */
    static void checkEssentialContainerNames(Construct scope, EcsRetrierProps props) {
        if (!(props.taskDefinition() instanceof TaskDefinition defined)) {
            return;
        }
        checkNames(scope, defined, "essentialContainers", props.essentialContainers());
        checkNames(scope, defined, "containerNames", props.containerNames());
    }

    private static void checkNames(Construct scope, TaskDefinition defined, String prop, List<String> names) {
        if (names == null) {
            return;
        }
        scope.getNode().addValidation(new IValidation() {
            @Override
            public List<String> validate() {
                List<String> known = FunctionEnvironment.containers(defined).stream().map(ContainerDefinition::getContainerName).toList();
                return names.stream()
                        .filter(name -> !known.contains(name))
                        .map(name -> prop + " names '" + name + "', which is not a container of the task definition "
                                + defined.getNode().getPath() + " (its containers: " + String.join(", ", known) + ")")
                        .toList();
            }
        });
    }

    /**
     * Lambda's 4 KB for a function's whole environment, measured on what the function's template will hold (lazy
     * values, such as the essential containers, resolved), at synthesis: past it CloudFormation would refuse the
     * function at deploy time. See {@link LambdaEnvironmentSize}.
     */
    static void checkEnvironmentSize(Construct scope, Function function) {
        scope.getNode().addValidation(new IValidation() {
            @Override
            public List<String> validate() {
                CfnFunction template = (CfnFunction) function.getNode().getDefaultChild();
                Object environment = Stack.of(scope).resolve(template.getEnvironment());
                // The L1 property before rendering: {variables: {NAME: value}}, each value a string or an intrinsic.
                if (!(environment instanceof Map<?, ?> resolved) || !(resolved.get("variables") instanceof Map<?, ?> variables)) {
                    return List.of();
                }
                Map<String, Object> named = new LinkedHashMap<>();
                variables.forEach((name, value) -> named.put(String.valueOf(name), value));
                return LambdaEnvironmentSize.of(function.getNode().getId(), named).violation(PROP_OF_VARIABLE).stream().toList();
            }
        });
    }
}
