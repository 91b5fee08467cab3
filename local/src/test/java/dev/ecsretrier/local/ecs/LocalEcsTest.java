package dev.ecsretrier.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.rule.StoppedTaskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.event.ruler.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

class LocalEcsTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path logs;

    final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4);
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final PendingWork work = new PendingWork();
    LocalEcs ecs;

    @AfterEach
    void close() {
        if (ecs != null) {
            ecs.close();
        }
        executor.shutdownNow();
    }

    LocalEcs ecs(TaskProgram program, int maxRunning, boolean forget) {
        return ecs(program, maxRunning, forget, Faults.NONE);
    }

    LocalEcs ecs(TaskProgram program, int maxRunning, boolean forget, Faults faults) {
        EmulatorContext context = new EmulatorContext(LocalSettings.REGION, LocalSettings.ACCOUNT, Clock.systemUTC(),
                new TimeScale(0.001), executor, faults, new Timeline(Clock.systemUTC()), work);
        ecs = new LocalEcs(context, new LocalEcs.Settings(LocalSettings.CLUSTER_ARN,
                Map.of("FROM_TASK_DEFINITION", "yes"), LocalSettings.TASK_CPU, LocalSettings.TASK_MEMORY, maxRunning,
                Duration.ofSeconds(10), forget),
                program, new Random(1), events::add);
        return ecs;
    }

    LocalEcs ecs() {
        return ecs(TaskProgram.sampleTask(logs), 8, false);
    }

    static LaunchRequest request(String runId, int attempt, String... nameValues) {
        List<EnvironmentVariable> environment = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            environment.add(new EnvironmentVariable(nameValues[i], nameValues[i + 1]));
        }
        environment.add(new EnvironmentVariable("RETRIER_RUN_ID", runId));
        environment.add(new EnvironmentVariable("RETRIER_ATTEMPT", Integer.toString(attempt)));
        environment.add(new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("ecs-retrier:run-id", runId);
        tags.put("ecs-retrier:attempt", Integer.toString(attempt));
        tags.put("ecs-retrier:max-attempts", "3");
        return new LaunchRequest(LocalSettings.CLUSTER_ARN, LocalSettings.TASK_DEFINITION_ARN, "ecs-retrier",
                runId + "-" + attempt, List.of(new ContainerOverride("app", null, environment)), tags, "FARGATE", List.of(),
                new LaunchRequest.NetworkSettings(List.of(), List.of(), false), null);
    }

    JsonNode onlyEvent() throws Exception {
        assertThat(work.awaitNone(WAIT)).isTrue();
        assertThat(events).hasSize(1);
        return JsonTrees.tree(events.get(0));
    }

    static String started(LaunchResult result) {
        assertThat(result).isInstanceOf(LaunchResult.Started.class);
        return ((LaunchResult.Started) result).taskArn();
    }

    @Test
    void aStoppedTaskEmitsTheEventShapeOfRealEcs() throws Exception {
        String taskArn = started(ecs().launch(request("shape", 1)));

        JsonNode event = onlyEvent();
        JsonNode real = Fixtures.eventJson("succeeded.json");

        assertThat(fieldNames(event)).isEqualTo(fieldNames(real));
        assertThat(fieldNames(event.get("detail"))).containsAll(fieldNames(real.get("detail")));
        assertThat(fieldNames(event.get("detail").get("containers").get(0)))
                .containsAll(Set.of("containerArn", "exitCode", "lastStatus", "name", "image", "runtimeId", "taskArn"));
        assertThat(event.path("source").asText()).isEqualTo("aws.ecs");
        assertThat(event.path("detail-type").asText()).isEqualTo("ECS Task State Change");
        assertThat(event.path("resources").get(0).asText()).isEqualTo(taskArn);
        JsonNode detail = event.get("detail");
        assertThat(detail.path("stopCode").asText()).isEqualTo("EssentialContainerExited");
        assertThat(detail.path("stoppedReason").asText()).isEqualTo("Essential container in task exited");
        assertThat(detail.path("containers").get(0).path("exitCode").asInt()).isEqualTo(0);
        assertThat(detail.path("startedBy").asText()).isEqualTo("ecs-retrier");
        assertThat(detail.path("version").asInt()).isEqualTo(5);
        assertThat(detail.path("overrides").path("containerOverrides").get(0).path("environment").toString())
                .contains("\"RETRIER_RUN_ID\"", "\"shape\"");

        TaskStateChange change = TaskStateChangeParser.parse(events.get(0).getBytes());
        assertThat(change.taskArn()).isEqualTo(taskArn);
        assertThat(change.stop().startedAt()).isBetween(change.stop().createdAt(), change.stop().stoppedAt());
        Machine machine = new Machine();
        machine.addRule("ours", new StoppedTaskPattern("ecs-retrier", LocalSettings.CLUSTER_ARN, false).toJson());
        assertThat(machine.rulesForJSONEvent(events.get(0))).containsExactly("ours");
    }

    static LaunchRequest launchedOn(LaunchRequest r, List<CapacityProviderItem> strategy,
                                    List<String> subnets, String cpu, String memory) {
        return new LaunchRequest(r.cluster(), r.taskDefinition(), r.startedBy(), r.clientToken(), r.containers(),
                r.tags(), strategy.isEmpty() ? r.launchType() : null, strategy,
                new LaunchRequest.NetworkSettings(subnets, List.of("sg-1"), false), TaskSize.parse(cpu, memory));
    }

    @Test
    void theStoppedEventReportsTheTaskDefinitionsSizeAndTheLaunchTypeWithoutCapacityProvider() throws Exception {
        ecs(TaskProgram.process(List.of("/bin/true"), null), 8, false);
        started(ecs.launch(request("plain", 1)));

        JsonNode detail = onlyEvent().get("detail");

        assertThat(detail.path("cpu").asText()).isEqualTo(LocalSettings.TASK_CPU).isEqualTo("1024");
        assertThat(detail.path("memory").asText()).isEqualTo(LocalSettings.TASK_MEMORY).isEqualTo("2048");
        assertThat(detail.path("launchType").asText()).isEqualTo("FARGATE");
        assertThat(detail.has("capacityProviderName")).isFalse();
        assertThat(detail.path("overrides").has("memory")).isFalse();
        assertThat(detail.path("attachments").get(0).path("details").get(0).path("value").asText())
                .isEqualTo("subnet-local");
    }

    @Test
    void theStoppedEventReportsTheLaunchItsRequestAskedFor() throws Exception {
        ecs(TaskProgram.process(List.of("/bin/true"), null), 8, false);
        LaunchRequest request = launchedOn(request("adapted", 2),
                List.of(new CapacityProviderItem("FARGATE_SPOT", 3, null),
                        new CapacityProviderItem("FARGATE", 1, 1)),
                List.of("subnet-b", "subnet-a"), "2048", "8192");
        String taskArn = started(ecs.launch(request));

        JsonNode detail = onlyEvent().get("detail");

        assertThat(detail.path("capacityProviderName").asText()).isEqualTo("FARGATE_SPOT");
        assertThat(detail.path("launchType").asText()).as("Fargate capacity providers run on FARGATE").isEqualTo("FARGATE");
        assertThat(detail.path("cpu").asText()).isEqualTo("2048");
        assertThat(detail.path("memory").asText()).isEqualTo("8192");
        assertThat(detail.path("overrides").path("cpu").asText()).isEqualTo("2048");
        assertThat(detail.path("overrides").path("memory").asText()).isEqualTo("8192");
        JsonNode subnet = detail.path("attachments").get(0).path("details").get(0);
        assertThat(subnet.path("name").asText()).isEqualTo("subnetId");
        assertThat(subnet.path("value").asText()).isEqualTo("subnet-b");
        TaskStateChange change = TaskStateChangeParser.parse(events.get(0).getBytes());
        assertThat(change.size()).isEqualTo(new TaskSize(2048, 8192));
        assertThat(ecs.launched("adapted")).singleElement().satisfies(task -> {
            assertThat(task.taskArn()).isEqualTo(taskArn);
            assertThat(task.request()).isEqualTo(request);
            assertThat(task.stoppedEvent()).isEqualTo(events.get(0));
        });
    }

    @Test
    void aSpotInterruptionOnAStrategyNamesTheStrategysProvider() throws Exception {
        ecs();
        ecs.failNextLaunches(1, LaunchFault.spotInterruption());
        started(ecs.launch(launchedOn(request("spot", 1),
                List.of(new CapacityProviderItem("my-spot-provider", 1, null)), List.of(), null, null)));

        assertThat(onlyEvent().get("detail").path("capacityProviderName").asText()).isEqualTo("my-spot-provider");
    }

    @Test
    void aTaskRunsWithExactlyTheEnvironmentOfItsLaunchRequest() throws Exception {
        ecs(TaskProgram.process(List.of("/usr/bin/env"), logs), 8, false);

        String taskArn = started(ecs.launch(request("env", 1, "JOB_INPUT", "s3://bucket/key", "FROM_TASK_DEFINITION", "overridden")));
        onlyEvent();

        String taskId = taskArn.substring(taskArn.lastIndexOf('/') + 1);
        Map<String, String> environment = new HashMap<>();
        for (String line : Files.readAllLines(logs.resolve(taskId + ".log"))) {
            environment.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        assertThat(environment).containsExactlyInAnyOrderEntriesOf(Map.of(
                "JOB_INPUT", "s3://bucket/key", "FROM_TASK_DEFINITION", "overridden",
                "RETRIER_RUN_ID", "env", "RETRIER_ATTEMPT", "1", "RETRIER_MAX_ATTEMPTS", "3"));
    }

    @Test
    void aRepeatedClientTokenReturnsTheSameTaskAndStartsNoSecondProcess() throws Exception {
        ecs();

        String first = started(ecs.launch(request("token", 1)));
        String second = started(ecs.launch(request("token", 1)));
        onlyEvent();
        String third = started(ecs.launch(request("token", 1)));

        assertThat(second).isEqualTo(first);
        assertThat(third).as("even after it stopped").isEqualTo(first);
        assertThat(ecs.launchCounts()).containsOnly(Map.entry(new LaunchKey("token", 1), 1));
        assertThat(ecs.runTaskCalls()).containsOnly(Map.entry(new LaunchKey("token", 1), 3));
        assertThat(events).hasSize(1);
    }

    /** A program that records each container it is asked to start and exits it with the code its environment names. */
    static final class RecordingProgram implements TaskProgram {
        final List<TaskProgram.Container> started = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Execution start(Container container) {
            started.add(container);
            int code = Integer.parseInt(container.environment().getOrDefault("EXIT_WITH", "0"));
            return new Execution() {
                @Override
                public java.util.concurrent.CompletableFuture<Integer> exitCode() {
                    return java.util.concurrent.CompletableFuture.completedFuture(code);
                }

                @Override
                public void stop() {
                }
            };
        }

        @Override
        public String image() {
            return "recorded";
        }
    }

    @Test
    void eachContainerOverrideRunsAsItsOwnProcess_withItsCommandAndEnvironment_andTheEventReportsEachExit() throws Exception {
        RecordingProgram program = new RecordingProgram();
        ecs(program, 8, false);
        LaunchRequest r = request("two", 1, "EXIT_WITH", "0");
        List<EnvironmentVariable> reportEnvironment = new ArrayList<>(List.of(new EnvironmentVariable("EXIT_WITH", "2")));
        reportEnvironment.addAll(r.containers().get(0).environment().subList(1, 4));
        LaunchRequest twoContainers = new LaunchRequest(r.cluster(), r.taskDefinition(), r.startedBy(), r.clientToken(),
                List.of(r.containers().get(0), new ContainerOverride("report", List.of("render", "--pdf"), reportEnvironment)),
                r.tags(), r.launchType(), r.capacityProviderStrategy(), r.network(), r.size());

        String taskArn = started(ecs.launch(twoContainers));
        JsonNode detail = onlyEvent().get("detail");

        assertThat(program.started).hasSize(2);
        TaskProgram.Container app = program.started.stream().filter(c -> c.command() == null).findFirst().orElseThrow();
        TaskProgram.Container report = program.started.stream().filter(c -> c.command() != null).findFirst().orElseThrow();
        assertThat(app.environment()).containsEntry("EXIT_WITH", "0").containsEntry("RETRIER_ATTEMPT", "1")
                .containsEntry("FROM_TASK_DEFINITION", "yes");
        assertThat(report.command()).containsExactly("render", "--pdf");
        assertThat(report.environment()).containsEntry("EXIT_WITH", "2").containsEntry("RETRIER_RUN_ID", "two")
                .containsEntry("FROM_TASK_DEFINITION", "yes");
        assertThat(detail.path("containers")).extracting(c -> c.path("name").asText() + ":" + c.path("exitCode").asInt())
                .containsExactly("app:0", "report:2");
        assertThat(detail.path("overrides").path("containerOverrides")).extracting(c -> c.path("name").asText())
                .containsExactly("app", "report");
        assertThat(detail.at("/overrides/containerOverrides/1/command/0").asText()).isEqualTo("render");
        TaskStateChange change = TaskStateChangeParser.parse(events.get(0).getBytes());
        assertThat(change.stop().containers()).extracting(dev.ecsretrier.core.ContainerExit::exitCode).containsExactly(0, 2);
        assertThat(ecs.describe(LocalSettings.CLUSTER_ARN, taskArn).orElseThrow().containerOverrides())
                .isEqualTo(twoContainers.containers());
    }

    @Test
    void describeTasksAnswersWithTheTagsAndOverridesUntilTheTaskIsForgotten() throws Exception {
        ecs();
        String taskArn = started(ecs.launch(request("described", 2, "JOB_INPUT", "x")));
        onlyEvent();

        DescribedTask described = ecs.describe(LocalSettings.CLUSTER_ARN, taskArn).orElseThrow();
        assertThat(described.tags()).containsEntry("ecs-retrier:run-id", "described").containsEntry("ecs-retrier:attempt", "2");
        assertThat(described.containerOverrides().get(0).environment()).contains(new EnvironmentVariable("JOB_INPUT", "x"));
        assertThat(ecs.describe("arn:aws:ecs:local:000000000000:cluster/other", taskArn)).isEmpty();

        ecs.forget(taskArn);
        assertThat(ecs.describe(LocalSettings.CLUSTER_ARN, taskArn)).isEmpty();
    }

    @Test
    void withForgetStoppedTasksAStoppedTaskIsNotDescribableWhenItsEventArrives() throws Exception {
        ecs(TaskProgram.sampleTask(logs), 8, true);
        String taskArn = started(ecs.launch(request("forgotten", 1)));
        onlyEvent();

        assertThat(ecs.describe(LocalSettings.CLUSTER_ARN, taskArn)).isEmpty();
    }

    static Stream<Arguments> stopFaults() {
        return Stream.of(
                Arguments.of(LaunchFault.cannotPullContainer(), "TaskFailedToStart", "cannot-pull-transient.json", true),
                Arguments.of(LaunchFault.imageNotFound(), "TaskFailedToStart", "cannot-pull-not-found.json", true),
                Arguments.of(LaunchFault.resourceInitialization(), "TaskFailedToStart", "resource-initialization.json", false),
                Arguments.of(LaunchFault.eniTimeout(), "TaskFailedToStart", "eni-timeout.json", false),
                Arguments.of(LaunchFault.spotInterruption(), "SpotInterruption", "spot-interruption.json", false),
                Arguments.of(LaunchFault.outOfMemory(), "EssentialContainerExited", "out-of-memory.json", true));
    }

    @ParameterizedTest(name = "{0} stops like {2}")
    @MethodSource("stopFaults")
    void aLaunchFaultStopsTheTaskWithTheTextsOfRealEcs(LaunchFault fault, String stopCode, String fixture,
                                                      boolean containerReason) throws Exception {
        ecs();
        ecs.failNextLaunches(1, fault);
        started(ecs.launch(request("fault", 1)));

        JsonNode detail = onlyEvent().get("detail");
        JsonNode real = Fixtures.eventJson(fixture).get("detail");

        assertThat(detail.path("stopCode").asText()).isEqualTo(stopCode).isEqualTo(real.path("stopCode").asText());
        assertThat(detail.path("stoppedReason").asText()).isEqualTo(real.path("stoppedReason").asText());
        JsonNode container = detail.path("containers").get(0);
        JsonNode realContainer = real.path("containers").get(0);
        assertThat(container.path("exitCode")).isEqualTo(realContainer.path("exitCode"));
        assertThat(container.has("reason")).isEqualTo(containerReason);
        if (containerReason) {
            assertThat(container.path("reason")).isEqualTo(realContainer.path("reason"));
        }
        assertThat(detail.has("startedAt")).isEqualTo(real.has("startedAt"));
        assertThat(detail.path("capacityProviderName")).isEqualTo(real.path("capacityProviderName"));
        assertThat(ecs.launchCounts()).containsOnly(Map.entry(new LaunchKey("fault", 1), 1));
    }

    @Test
    void aRunTaskFailureIsAnsweredAgainForTheSameClientTokenButAThrottleIsNot() throws Exception {
        ecs();
        ecs.failNextLaunches(1, LaunchFault.resourceMemory());
        ecs.failNextLaunches(1, LaunchFault.throttling());

        assertThat(ecs.launch(request("memory", 1))).isEqualTo(new LaunchResult.Failed("RESOURCE:MEMORY", null));
        assertThat(ecs.launch(request("memory", 1))).isEqualTo(new LaunchResult.Failed("RESOURCE:MEMORY", null));
        assertThat(ecs.launch(request("throttled", 1)))
                .isEqualTo(new LaunchResult.Unavailable("ThrottlingException", "Rate exceeded"));
        started(ecs.launch(request("throttled", 1)));
        onlyEvent();

        assertThat(ecs.launchCounts()).containsOnly(Map.entry(new LaunchKey("throttled", 1), 1));
    }

    @Test
    void theContextsFaultsGoToTheNextLaunchesThenItsPolicyDecides() {
        ecs(TaskProgram.sampleTask(logs), 8, false, Faults.builder()
                .nextLaunches(1, LaunchFault.resourceMemory())
                .launchPolicy(request -> Optional.of(LaunchFault.throttling()))
                .build());

        assertThat(ecs.launch(request("queued", 1))).isEqualTo(new LaunchResult.Failed("RESOURCE:MEMORY", null));
        assertThat(ecs.launch(request("by-policy", 1)))
                .isEqualTo(new LaunchResult.Unavailable("ThrottlingException", "Rate exceeded"));
    }

    @Test
    void anotherClusterIsNotFound() {
        ecs();
        LaunchRequest r = request("elsewhere", 1);
        LaunchRequest other = new LaunchRequest("arn:aws:ecs:local:000000000000:cluster/other", r.taskDefinition(),
                r.startedBy(), r.clientToken(), r.containers(), r.tags(),
                r.launchType(), r.capacityProviderStrategy(), r.network(), r.size());

        assertThat(ecs.launch(other)).isEqualTo(new LaunchResult.Failed("ClusterNotFoundException", "Cluster not found."));
    }

    @Test
    void stopTaskStopsTheProcessWithStopCodeUserInitiatedAndTheReasonGiven() throws Exception {
        ecs();
        String taskArn = started(ecs.launch(request("stop", 1, "WORK_SECONDS", "30")));
        awaitStatus(taskArn, "RUNNING");

        assertThat(ecs.stopTask(LocalSettings.CLUSTER_ARN, taskArn, "ecs-retrier: attempt timed out")).isTrue();
        JsonNode detail = onlyEvent().get("detail");

        assertThat(detail.path("stopCode").asText()).isEqualTo("UserInitiated");
        assertThat(detail.path("stoppedReason").asText()).isEqualTo("ecs-retrier: attempt timed out");
        assertThat(detail.path("containers").get(0).path("exitCode").asInt()).isEqualTo(143);
        assertThat(ecs.stopTask(LocalSettings.CLUSTER_ARN, taskArn, "again")).as("already stopped").isFalse();
    }

    @Test
    void tasksBeyondTheLimitWaitInProvisioningForAFreeSlot() throws Exception {
        ecs(TaskProgram.sampleTask(logs), 1, false);
        String first = started(ecs.launch(request("slot-1", 1, "WORK_SECONDS", "0.5")));
        awaitStatus(first, "RUNNING");
        String second = started(ecs.launch(request("slot-2", 1)));

        Thread.sleep(100);
        assertThat(ecs.lastStatus(second)).contains("PROVISIONING");
        assertThat(work.awaitNone(WAIT)).isTrue();
        assertThat(events).hasSize(2);
        assertThat(ecs.lastStatus(second)).contains("STOPPED");
    }

    void awaitStatus(String taskArn, String status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ecs.lastStatus(taskArn).orElse("").equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(ecs.lastStatus(taskArn)).contains(status);
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
