package dev.ecsretrier.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.event.ruler.Machine;

/**
 * The deployed rule can only ever hand the classifier stops of tasks this retrier started, in its own cluster.
 * The pattern is taken from the synthesized template and run through AWS Event Ruler (EventBridge's matching
 * library) against realistic ECS events, each test changing one field of a real stop.
 */
class StoppedTaskRuleSecurityTest {

    private static final String RULE = "stopped-task-rule";
    private static Machine strict;
    private static Machine withTestEvents;

    @BeforeAll
    static void loadPatternsFromTheTemplates() throws Exception {
        ExistingClusterStacks stacks = ExistingClusterStacks.get();
        strict = machine(stacks.defaultsTemplate);
        withTestEvents = machine(stacks.customTemplate);
    }

    @Nested
    class WithTestEventsAccepted {

        @Test
        void matchesAStopOfATaskWeStarted() {
            assertThat(matches(withTestEvents, stopped())).isTrue();
        }

        @Test
        void matchesTheSameStopSentAsATestEvent() {
            assertThat(matches(withTestEvents, stopped(e -> e.put("source", "ecs-retrier.test")))).isTrue();
        }

        @Test
        void theTestEventOfTheDeployGuideMatches_andTheClassifierCanReadItsRun() throws Exception {
            ObjectNode documented = fixture("put-events-test-event.json");
            assertThat(matches(withTestEvents, documented)).isTrue();
            TaskStateChange change = TaskStateChangeParser.parse(TestJson.MAPPER.writeValueAsBytes(documented));
            assertThat(AttemptMetadata.fromEnvironment(change.containerOverrides())).hasValueSatisfying(run -> {
                assertThat(run.runId()).isEqualTo("test-event-1");
                assertThat(run.attempt()).isEqualTo(1);
            });
        }

        @Test
        void ignoresOurTaskWhileItIsStillRunning() {
            assertThat(matches(withTestEvents, fixture("nightly-import-running.json"))).isFalse();
        }

        @Test
        void ignoresAServiceTaskInTheSameCluster() {
            assertThat(matches(withTestEvents, fixture("service-task-stopped.json"))).isFalse();
        }

        @Test
        void ignoresATaskStartedByAnotherRetrier() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e).put("startedBy", "ecs-retrier-Other-Retrier-1A2B3C4D")))).isFalse();
        }

        @Test
        void ignoresAStartedByThatOnlyBeginsWithOurs() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e).put("startedBy", "nightly-import-2")))).isFalse();
        }

        @Test
        void ignoresAStartedByThatDiffersOnlyInCase() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e).put("startedBy", "Nightly-Import")))).isFalse();
        }

        @Test
        void ignoresATaskWithoutStartedBy() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e).remove("startedBy")))).isFalse();
        }

        @Test
        void ignoresOurStartedByInAnotherCluster() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e)
                    .put("clusterArn", "arn:aws:ecs:eu-west-1:123456789012:cluster/jobs-staging")))).isFalse();
        }

        @Test
        void ignoresAClusterOfTheSameNameInAnotherAccount() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e)
                    .put("clusterArn", "arn:aws:ecs:eu-west-1:210987654321:cluster/jobs")))).isFalse();
        }

        @Test
        void ignoresAClusterOfTheSameNameInAnotherRegion() {
            assertThat(matches(withTestEvents, stopped(e -> detail(e)
                    .put("clusterArn", "arn:aws:ecs:us-east-1:123456789012:cluster/jobs")))).isFalse();
        }

        @Test
        void ignoresAnyOtherSource() {
            assertThat(matches(withTestEvents, stopped(e -> e.put("source", "ecs-retrier.testing")))).isFalse();
            assertThat(matches(withTestEvents, stopped(e -> e.put("source", "my.app")))).isFalse();
        }

        @Test
        void ignoresOtherEcsDetailTypes() {
            assertThat(matches(withTestEvents, stopped(e -> e.put("detail-type", "ECS Container Instance State Change")))).isFalse();
            assertThat(matches(withTestEvents, stopped(e -> e.put("detail-type", "ECS Deployment State Change")))).isFalse();
        }
    }

    @Nested
    class ByDefault {

        private String ours() {
            return ExistingClusterStacks.get().defaultsRetrier.getStartedBy();
        }

        @Test
        void matchesAStopOfATaskWeStarted() {
            assertThat(matches(strict, stopped(e -> detail(e).put("startedBy", ours())))).isTrue();
        }

        @Test
        void refusesTestEvents_soNobodyCanFakeAStop() {
            assertThat(matches(strict, stopped(e -> {
                detail(e).put("startedBy", ours());
                e.put("source", "ecs-retrier.test");
            }))).isFalse();
        }

        @Test
        void ignoresTasksStartedWithTheSharedDefaultName() {
            assertThat(matches(strict, stopped(e -> detail(e).put("startedBy", "ecs-retrier")))).isFalse();
        }

        @Test
        void ignoresAServiceTaskInTheSameCluster() {
            assertThat(matches(strict, fixture("service-task-stopped.json"))).isFalse();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Machine machine(software.amazon.awscdk.assertions.Template template) throws IOException {
        JsonNode pattern = Templates.resource(template, "AWS::Events::Rule", "RetrierStoppedTaskRule").at("/Properties/EventPattern");
        assertThat(pattern.toString()).as("a plain JSON pattern, no CloudFormation functions left").doesNotContain("Fn::", "Ref");
        Machine machine = new Machine();
        machine.addRule(RULE, pattern.toString());
        return machine;
    }

    private static boolean matches(Machine machine, JsonNode event) {
        try {
            return machine.rulesForJSONEvent(event.toString()).contains(RULE);
        } catch (Exception e) {
            throw new IllegalStateException("Event Ruler could not read the event", e);
        }
    }

    private static ObjectNode stopped() {
        return fixture("nightly-import-stopped.json");
    }

    private static ObjectNode stopped(Consumer<ObjectNode> change) {
        ObjectNode event = stopped();
        change.accept(event);
        return event;
    }

    private static ObjectNode detail(ObjectNode event) {
        return (ObjectNode) event.get("detail");
    }

    private static ObjectNode fixture(String name) {
        try (InputStream in = StoppedTaskRuleSecurityTest.class.getResourceAsStream("/events/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return (ObjectNode) TestJson.tree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
