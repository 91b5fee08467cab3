package dev.ecsretrier.infra;

import dev.ecsretrier.core.AttemptMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.IAlias;
import software.amazon.awscdk.services.scheduler.ScheduleGroup;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Least privilege: what the starter, the classifier and EventBridge Scheduler may do, each on our cluster, our task
 * definition family, our schedule group and our topic only. The wildcards left are explained in {@link NagFindings}.
 */
final class Permissions {

    private final Construct scope;
    private final ICluster cluster;
    private final ScheduleGroup scheduleGroup;
    private final Role schedulerRole;
    private final ITopic topic;

    private Permissions(Construct scope, ICluster cluster, ScheduleGroup scheduleGroup, Role schedulerRole, ITopic topic) {
        this.scope = scope;
        this.cluster = cluster;
        this.scheduleGroup = scheduleGroup;
        this.schedulerRole = schedulerRole;
        this.topic = topic;
    }

    static Permissions of(Construct scope, ICluster cluster, ScheduleGroup scheduleGroup, Role schedulerRole, ITopic topic) {
        return new Permissions(scope, cluster, scheduleGroup, schedulerRole, topic);
    }

    /** The role Scheduler assumes; only schedules of our group, in our account, may (confused-deputy protection). */
    static Role schedulerRole(Construct scope, ScheduleGroup scheduleGroup) {
        Stack stack = Stack.of(scope);
        return Role.Builder.create(scope, "SchedulerRole")
                .description("EventBridge Scheduler invokes the ecs-retrier starter with the next attempt")
                .assumedBy(new ServicePrincipal("scheduler.amazonaws.com").withConditions(Map.of(
                        "StringEquals", TemplateOrder.map(
                                "aws:SourceAccount", stack.getAccount(),
                                "aws:SourceArn", scheduleGroup.getScheduleGroupArn()))))
                .build();
    }

    /** Scheduler invokes the starter's alias with the next attempt, and puts what it cannot deliver in the queue. */
    void grantScheduler(IAlias starter, IQueue scheduleFailures, boolean stopsTasksOnTimeout) {
        schedulerRole.addToPolicy(allow(List.of("lambda:InvokeFunction"), List.of(starter.getFunctionArn())));
        schedulerRole.addToPolicy(allow(List.of("sqs:SendMessage"), List.of(scheduleFailures.getQueueArn())));
        if (stopsTasksOnTimeout) {
            // The starter's timeout schedule calls StopTask itself (Scheduler's universal target), as this role.
            schedulerRole.addToPolicy(PolicyStatement.Builder.create()
                    .sid("StopOurClusterTasksOnTimeout")
                    .actions(List.of("ecs:StopTask"))
                    .resources(List.of(clusterTasks()))
                    .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                    .build());
        }
    }

    /** The starter may run exactly {@code taskDefinitions} (each family's revisions) and pass exactly their roles. */
    void grantStarter(IRole role, List<ITaskDefinition> taskDefinitions) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("RunOurTaskDefinitionInOurCluster")
                .actions(List.of("ecs:RunTask"))
                .resources(taskDefinitions.stream().map(definition -> taskDefinitionFamilyArn(scope, definition) + ":*").distinct().toList())
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                .build());
        // RunTask with tags is authorized a second time as TagResource on the new task: allowed only
        // while RunTask creates it, and only for the retrier's own tag keys.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("TagTasksAsTheyStart")
                .actions(List.of("ecs:TagResource"))
                .resources(List.of(clusterTasks()))
                .conditions(TemplateOrder.map(
                        "StringEquals", Map.of("ecs:CreateAction", "RunTask"),
                        "ForAllValues:StringLike", Map.of("aws:TagKeys", AttemptMetadata.TAG_PREFIX + "*")))
                .build());
        List<String> taskRoles = new ArrayList<>();
        for (ITaskDefinition taskDefinition : taskDefinitions) {
            addOnce(taskRoles, taskDefinition.getTaskRole().getRoleArn());
            if (taskDefinition.getExecutionRole() != null) {
                addOnce(taskRoles, taskDefinition.getExecutionRole().getRoleArn());
            }
        }
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("PassTaskRolesToEcs")
                .actions(List.of("iam:PassRole"))
                .resources(taskRoles)
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")))
                .build());
        // A start that finds its run cancelled while RunTask ran stops the task it just started.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("StopOurTasksOfCancelledRuns")
                .actions(List.of("ecs:StopTask"))
                .resources(List.of(clusterTasks()))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                .build());
        grantScheduleAndNotify(role);
    }

    void grantClassifier(IRole role) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("DescribeOurClusterTasks")
                .actions(List.of("ecs:DescribeTasks"))
                .resources(List.of(clusterTasks()))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                .build());
        grantScheduleAndNotify(role);
    }

    /**
     * FilterLogEvents on the two history log groups, nothing else: its only resource type is the log group
     * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html), named by
     * the ARN with the trailing {@code :*} that IAM policies use
     * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html).
     */
    void grantReadHistory(IRole role, List<ILogGroup> historyLogGroups) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ReadRunHistory")
                .actions(List.of("logs:FilterLogEvents"))
                .resources(historyLogGroups.stream().map(ILogGroup::getLogGroupArn).toList())
                .build());
    }

    /** Both functions schedule a next attempt (the starter after a synchronous RunTask failure) and notify. */
    private void grantScheduleAndNotify(IRole role) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ManageSchedulesInOurGroup")
                // GetSchedule: the run's cancel marker (retrier cancel), read before launching or scheduling, and the
                // claim of a cancelled run's one notification (Create, Get and, when the publish fails, Delete).
                .actions(List.of("scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"))
                .resources(List.of(arn("scheduler", "schedule", scheduleGroup.getScheduleGroupName() + "/*")))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("PassSchedulerRole")
                .actions(List.of("iam:PassRole"))
                .resources(List.of(schedulerRole.getRoleArn()))
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "scheduler.amazonaws.com")))
                .build());
        topic.grantPublish(role);
    }

    private static void addOnce(List<String> values, String value) {
        if (!values.contains(value)) {
            values.add(value);
        }
    }

    /** {@code arn:...:task-definition/<family>}: a revision is this followed by {@code :<revision>}. */
    static String taskDefinitionFamilyArn(Construct scope, ITaskDefinition taskDefinition) {
        return arn(scope, "ecs", "task-definition", family(taskDefinition));
    }

    private String arn(String service, String resource, String resourceName) {
        return arn(scope, service, resource, resourceName);
    }

    private static String arn(Construct scope, String service, String resource, String resourceName) {
        return Stack.of(scope).formatArn(ArnComponents.builder()
                .service(service).resource(resource).resourceName(resourceName)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build());
    }

    /** Tasks are {@code task/<cluster name>/<id>}: no ARN can name a task before it exists. */
    private String clusterTasks() {
        return arn("ecs", "task", cluster.getClusterName() + "/*");
    }

    private static String family(ITaskDefinition taskDefinition) {
        if (taskDefinition instanceof TaskDefinition defined) {
            return defined.getFamily();
        }
        // An imported definition only has its ARN: task-definition/<family>:<revision>.
        String familyAndRevision = Arn.split(taskDefinition.getTaskDefinitionArn(), ArnFormat.SLASH_RESOURCE_NAME).getResourceName();
        return Fn.select(0, Fn.split(":", familyAndRevision));
    }

    private static PolicyStatement allow(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions).resources(resources).build();
    }
}
