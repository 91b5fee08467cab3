package dev.ecsretrier.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.event.ruler.Machine;

/**
 * The many-jobs rule, matched as EventBridge matches it: the EventPattern of the synthesized rule (its
 * account, region and partition filled in as CloudFormation would) goes into AWS Event Ruler, then real
 * STOPPED events with one field changed per case. A stop of each listed job's task is heard; a stop of a
 * task definition family the retrier does not run, a task someone else started, or a task still RUNNING
 * is not.
 */
class ManyJobsRuleMatchingTest {

    static final String ACCOUNT = "123456789012";
    static final String REGION = "eu-west-1";
    static final String CLUSTER_ARN = "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":cluster/jobs";
    private static final String RULE = "many-jobs-rule";
    private static FargateTaskDefinition etl;
    private static FargateTaskDefinition reports;
    private static FargateTaskDefinition unlisted;
    private static String startedBy;
    private static Machine machine;

    @BeforeAll
    static void synthesizeTwoJobs_andLoadTheRule() throws Exception {
        Stack stack = new Stack(new App(), "ManyJobsRule");
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        etl = definition(stack, "Etl", "app");
        reports = definition(stack, "Reports", "main");
        unlisted = definition(stack, "Unlisted", "other");
        Map<String, EcsRetrierJob> jobs = new LinkedHashMap<>();
        jobs.put("nightly-etl", EcsRetrierJob.builder().taskDefinition(etl).build());
        jobs.put("reports", EcsRetrierJob.builder().taskDefinition(reports).build());
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder()
                .cluster(Cluster.fromClusterAttributes(stack, "Jobs", ClusterAttributes.builder()
                        .clusterName("jobs").clusterArn(CLUSTER_ARN).vpc(vpc).build()))
                .jobs(jobs)
                .build());
        JsonNode pattern = resolved(Templates.resource(Template.fromStack(stack), "AWS::Events::Rule",
                "RetrierStoppedTaskRule").at("/Properties/EventPattern"));
        assertThat(pattern.toString()).as("a plain JSON pattern, no CloudFormation functions left")
                .doesNotContain("Fn::", "Ref");
        startedBy = pattern.at("/detail/startedBy/0").asText();
        machine = new Machine();
        machine.addRule(RULE, pattern.toString());
    }

    @Test
    void aStopOfEachListedJobsTask_isHeard() {
        assertThat(matches(stopOf(etl.getFamily()))).isTrue();
        assertThat(matches(stopOf(reports.getFamily()))).isTrue();
    }

    @Test
    void aStopOfATaskDefinitionFamilyNoJobRuns_isNotHeard() {
        assertThat(matches(stopOf(unlisted.getFamily()))).isFalse();
    }

    @Test
    void aFamilyThatOnlyStartsWithAJobsFamily_isNotHeard() {
        assertThat(matches(stopOf(etl.getFamily() + "-copy"))).isFalse();
    }

    @Test
    void aStopOfAJobsTaskThatSomeoneElseStarted_isNotHeard() {
        assertThat(matches(stopOf(etl.getFamily(), detail -> detail.put("startedBy", "ecs-svc/1234567890")))).isFalse();
    }

    @Test
    void aJobsTaskStillRunning_isNotHeard() {
        assertThat(matches(stopOf(reports.getFamily(), detail -> {
            detail.put("lastStatus", "RUNNING");
            detail.put("desiredStatus", "RUNNING");
        }))).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    private static boolean matches(JsonNode event) {
        try {
            return machine.rulesForJSONEvent(event.toString()).contains(RULE);
        } catch (Exception e) {
            throw new IllegalStateException("Event Ruler could not read the event", e);
        }
    }

    private static ObjectNode stopOf(String family) {
        return stopOf(family, detail -> { });
    }

    /** The fixture's stop, as a task of revision 7 of {@code family} the retrier started in its cluster. */
    private static ObjectNode stopOf(String family, Consumer<ObjectNode> change) {
        ObjectNode event = fixture("nightly-import-stopped.json");
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("taskDefinitionArn", "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/" + family + ":7");
        detail.put("group", "family:" + family);
        detail.put("clusterArn", CLUSTER_ARN);
        detail.put("startedBy", startedBy);
        change.accept(detail);
        return event;
    }

    /**
     * The pattern as CloudFormation deploys it: {@code Fn::Join} joined, the pseudo parameters of a stack
     * in {@link #ACCOUNT} and {@link #REGION}
     * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
     */
    private static JsonNode resolved(JsonNode node) {
        if (node.isObject() && node.has("Ref")) {
            return TextNode.valueOf(switch (node.get("Ref").asText()) {
                case "AWS::Partition" -> "aws";
                case "AWS::Region" -> REGION;
                case "AWS::AccountId" -> ACCOUNT;
                default -> throw new IllegalStateException("unexpected Ref in the pattern: " + node);
            });
        }
        if (node.isObject() && node.has("Fn::Join")) {
            StringBuilder joined = new StringBuilder();
            String separator = node.get("Fn::Join").get(0).asText();
            List<String> parts = new java.util.ArrayList<>();
            node.get("Fn::Join").get(1).forEach(part -> parts.add(resolved(part).asText()));
            joined.append(String.join(separator, parts));
            return TextNode.valueOf(joined.toString());
        }
        if (node.isObject()) {
            ObjectNode copy = TestJson.MAPPER.createObjectNode();
            node.fields().forEachRemaining(field -> copy.set(field.getKey(), resolved(field.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = TestJson.MAPPER.createArrayNode();
            node.forEach(element -> copy.add(resolved(element)));
            return copy;
        }
        return node;
    }

    private static FargateTaskDefinition definition(Stack stack, String id, String container) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(stack, id).build();
        definition.addContainer(container, ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        return definition;
    }

    private static ObjectNode fixture(String name) {
        try (InputStream in = ManyJobsRuleMatchingTest.class.getResourceAsStream("/events/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return (ObjectNode) TestJson.tree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
