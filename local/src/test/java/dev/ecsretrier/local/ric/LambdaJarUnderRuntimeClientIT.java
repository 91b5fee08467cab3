package dev.ecsretrier.local.ric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.ecs.LocalEcs;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.ric.LoopbackRuntimeApi.Result;
import dev.ecsretrier.local.serve.AwsEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * Both handlers as Lambda runs them: the shrunk Lambda jar (functions/target/functions-*-lambda.jar)
 * unpacked into a task root, under AWS's Lambda Runtime Interface Client in a JVM of its own,
 * driven through a loopback Runtime API. Their AWS calls (ECS, Scheduler, SNS) go, through the
 * SDK's standard {@code AWS_ENDPOINT_URL}, to the local runtime's endpoint ({@code retrier serve}),
 * which runs the rest of the loop: the task it starts stops, its event goes through the rule to the
 * local classifier, a schedule invokes the local starter, outcomes reach the local topic.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after functions/ packaged the jar); the pom passes the
 * jar's path and the runtime client's class path.
 */
class LambdaJarUnderRuntimeClientIT {

    static final String STARTER = "dev.ecsretrier.handler.StarterHandler::handleRequest";
    static final String CLASSIFIER = "dev.ecsretrier.handler.ClassifierHandler::handleRequest";
    /** The README's start payload: attempt 1 of sample-task fails with exit code 2, attempt 2 succeeds. */
    static final String README_START = "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
            + "[{\"name\":\"FAIL_ON_ATTEMPTS\",\"value\":\"1\"}]}]}";
    static final String CLASSIFIER_ARN = "arn:aws:lambda:local:000000000000:function:classifier";
    static final Duration WAIT = Duration.ofSeconds(60);

    static Path taskRoot;
    static String runtimeClientClassPath;
    /** What an on-demand init prints when its dry run failed (SnapStartPriming.atInitialization). */
    static final String DRY_RUN_FAILED = "the dry run at initialization failed";

    @TempDir
    Path work;
    private LocalRuntime runtime;
    private AwsEndpoint endpoint;
    private final List<String> endpointLog = Collections.synchronizedList(new ArrayList<>());
    private final List<Function> functions = new ArrayList<>();

    /** One function's execution environment: its own Runtime API and the runtime client process polling it. */
    private record Function(LoopbackRuntimeApi runtimeApi, RuntimeClientProcess process) {

        Result invoke(String payload, String functionArn) throws Exception {
            return runtimeApi.invoke(payload, functionArn, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        /** The function's answer; fails with its log when it reported an error instead. */
        JsonNode response(String payload, String functionArn) throws Exception {
            Result result = invoke(payload, functionArn);
            assertThat(result).as("the function's log:%n%s", process.output()).isInstanceOf(Result.Response.class);
            return JsonTrees.tree(result.body());
        }
    }

    @BeforeAll
    static void unpackTheShrunkJar(@TempDir Path root) throws Exception {
        Path jar = Path.of(System.getProperty("ecsretrier.lambda.jar"));
        assertThat(jar).as("the shrunk Lambda jar: mvn -pl functions -am package").isRegularFile();
        taskRoot = RuntimeClientProcess.unpack(jar, Files.createDirectories(root.resolve("task")));
        runtimeClientClassPath = System.getProperty("ecsretrier.ric.classpath");
        assertThat(runtimeClientClassPath).as("the runtime client's class path, from the pom").contains(
                "aws-lambda-java-runtime-interface-client");
    }

    @BeforeEach
    void serve() throws Exception {
        runtime = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .timeScale(0.001)
                .seed(5)
                .build();
        endpoint = AwsEndpoint.start(runtime, "127.0.0.1", 0, endpointLog::add);
    }

    @AfterEach
    void stop() throws Exception {
        for (Function function : functions) {
            function.process().close();
            function.runtimeApi().close();
        }
        endpoint.close();
        runtime.close();
    }

    @Test
    void theRuntimeClientShipsItsNativeClientForLinuxX8664() throws Exception {
        String jar = List.of(runtimeClientClassPath.split(File.pathSeparator)).stream()
                .filter(p -> p.contains("aws-lambda-java-runtime-interface-client")).findFirst().orElseThrow();
        try (ZipFile zip = new ZipFile(jar)) {
            assertThat(zip.getEntry("jni/libaws-lambda-jni.linux-x86_64.so")).isNotNull();
        }
    }

    @Test
    void theReadmeStartPayloadStartsATaskThroughTheEndpoint() throws Exception {
        Function starter = start("starter", STARTER, functionVariables());

        JsonNode answer = starter.response(README_START, LocalSettings.STARTER_ARN);

        String runId = answer.path("runId").asText();
        String taskArn = answer.path("taskArn").asText();
        assertThat(starter.process().output()).as("the dry run at init, from the shrunk jar")
                .doesNotContain(DRY_RUN_FAILED);
        assertThat(answer.path("attempt").asInt()).isEqualTo(1);
        assertThat(taskArn).startsWith("arn:aws:ecs:local:000000000000:task/local/");
        // The RunTask the endpoint received, as the local ECS took it.
        LocalEcs.LaunchedTask launched = runtime.ecs().launched(runId).get(0);
        assertThat(launched.taskArn()).isEqualTo(taskArn);
        assertThat(launched.request().clientToken()).isEqualTo(runId + "-1");
        assertThat(launched.request().startedBy()).isEqualTo("ecs-retrier");
        assertThat(launched.request().cluster()).isEqualTo(LocalSettings.CLUSTER_ARN);
        assertThat(launched.request().containers().get(0).environment()).contains(new EnvironmentVariable("FAIL_ON_ATTEMPTS", "1"),
                new EnvironmentVariable(AttemptMetadata.ATTEMPT_ENV, "1"));
        assertThat(launched.request().tags()).containsEntry(AttemptMetadata.RUN_ID_TAG, runId);
        assertThat(endpointLog).anyMatch(line -> line.startsWith("ecs run-task: started " + taskArn));
        // The rest of the loop runs locally: attempt 1 exits 2, the classifier retries, attempt 2 succeeds.
        RunOutcome outcome = runtime.awaitOutcome(runId, WAIT).orElseThrow();
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void aStoppedEventWithARetryableExitCodeSchedulesTheNextAttempt() throws Exception {
        String taskArn = runningTask("ric-retry");
        Function classifier = start("classifier", CLASSIFIER, functionVariables());

        JsonNode step = classifier.response(stoppedEvent("app-exit-2.json", "ric-retry", taskArn), CLASSIFIER_ARN);

        assertThat(classifier.process().output()).as("the dry run at init, from the shrunk jar")
                .doesNotContain(DRY_RUN_FAILED);
        assertThat(step.path("decision").asText()).isEqualTo("RETRY");
        assertThat(step.path("taskArn").asText()).isEqualTo(taskArn);
        assertThat(step.path("scheduleName").asText()).isEqualTo("ric-retry-2");
        assertThat(step.path("alreadyScheduled").asBoolean()).isFalse();
        assertThat(endpointLog).anyMatch(line -> line.equals("ecs describe-tasks: 1 found, 0 missing"))
                .anyMatch(line -> line.startsWith("scheduler create-schedule ric-retry-2: at(")
                        && line.endsWith("-> " + LocalSettings.STARTER_ARN));
        // The schedule fires and the local starter launches attempt 2 of the run.
        LocalEcs.LaunchedTask second = await(() -> runtime.ecs().launched("ric-retry").stream()
                .filter(t -> "2".equals(t.request().tags().get(AttemptMetadata.ATTEMPT_TAG))).findFirst());
        assertThat(second.request().clientToken()).isEqualTo("ric-retry-2");
    }

    @Test
    void aStoppedEventWithAFailingExitCodePublishesTheOutcome() throws Exception {
        String taskArn = runningTask("ric-failed");
        Function classifier = start("classifier", CLASSIFIER, functionVariables());

        JsonNode step = classifier.response(stoppedEvent("app-exit-1.json", "ric-failed", taskArn), CLASSIFIER_ARN);

        assertThat(step.path("decision").asText()).isEqualTo("FAILED");
        assertThat(step.path("scheduleName").isMissingNode() || step.path("scheduleName").isNull()).isTrue();
        RunOutcome outcome = runtime.awaitOutcome("ric-failed", WAIT).orElseThrow();
        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        assertThat(runtime.notifications()).singleElement().satisfies(n -> {
            assertThat(n.topicArn()).isEqualTo(LocalSettings.TOPIC_ARN);
            assertThat(n.attributes()).containsEntry("runId", "ric-failed").containsEntry("outcome", "FAILED");
        });
        assertThat(endpointLog).anyMatch(line -> line.startsWith("sns publish: "));
        assertThat(endpointLog).noneMatch(line -> line.startsWith("scheduler create-schedule"));
    }

    @Test
    void aHandlerErrorIsReportedToTheInvocationErrorEndpointAndTheRuntimeGoesOn() throws Exception {
        Function starter = start("starter", STARTER, functionVariables());

        Result refused = starter.invoke("{\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                + "[{\"name\":\"RETRIER_ATTEMPT\",\"value\":\"9\"}]}]}", LocalSettings.STARTER_ARN);

        assertThat(refused).as(starter.process().output()).isInstanceOf(Result.Error.class);
        Result.Error error = (Result.Error) refused;
        // The header is Lambda's category of the error; the body names the exception.
        assertThat(error.errorType()).isEqualTo("Runtime.UserException");
        JsonNode body = JsonTrees.tree(error.body());
        assertThat(body.path("errorType").asText()).isEqualTo("dev.ecsretrier.core.InvalidStartRequestException");
        assertThat(body.path("errorMessage").asText()).contains("containerOverrides[0].environment[0].name", "reserved");
        assertThat(body.path("stackTrace").isArray()).isTrue();
        assertThat(runtime.ecs().runTaskCalls()).isEmpty();
        // Not fatal: the same runtime takes the next invocation.
        assertThat(starter.response("{\"runId\":\"ric-after-error\"}", LocalSettings.STARTER_ARN)
                .path("runId").asText()).isEqualTo("ric-after-error");
        assertThat(starter.runtimeApi().calls()).filteredOn(c -> c.startsWith("POST "))
                .hasSize(2)
                .satisfiesExactly(
                        first -> assertThat(first).matches("POST /2018-06-01/runtime/invocation/[0-9a-f-]{36}/error"),
                        second -> assertThat(second).matches("POST /2018-06-01/runtime/invocation/[0-9a-f-]{36}/response"));
    }

    @Test
    void aConfigurationErrorIsAnInitErrorAndTheRuntimeExits() throws Exception {
        Map<String, String> variables = functionVariables();
        variables.remove(Setting.TOPIC_ARN.variable());
        Function starter = start("starter", STARTER, variables);

        Result.Error error = starter.runtimeApi().initError().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        JsonNode body = JsonTrees.tree(error.body());
        assertThat(body.path("errorMessage").asText()).as(starter.process().output()).contains(Setting.TOPIC_ARN.variable());
        assertThat(starter.process().exitStatus(30)).as("the runtime client exits after an init error").isNotNull()
                .isNotZero();
        assertThat(starter.runtimeApi().calls()).doesNotContain("GET /2018-06-01/runtime/invocation/next");
    }

    /** A jobs file as the construct's layer ships it: read when the function initializes, a start request names its job. */
    @Test
    void aJobsFileIsReadAtInitialization_andAStartOfAJobLaunchesThatJobsTaskWithEachOfItsContainers() throws Exception {
        Map<String, String> variables = functionVariables();
        variables.put(Setting.CONFIG_FILE.variable(), Files.writeString(work.resolve("jobs.json"), """
                {"jobs": {
                  "ledger": {"RETRIER_TASK_DEFINITION": "ledger:3", "RETRIER_CONTAINER_NAMES": ["app", "report"]},
                  "reports": {"RETRIER_TASK_DEFINITION": "reports:2"}
                }}
                """).toString());
        Function starter = start("starter", STARTER, variables);

        JsonNode answer = starter.response("{\"job\":\"ledger\",\"runId\":\"ric-ledger\",\"containerOverrides\":"
                + "[{\"name\":\"report\",\"environment\":[{\"name\":\"FORMAT\",\"value\":\"pdf\"}]}]}",
                LocalSettings.STARTER_ARN);

        assertThat(answer.path("taskArn").asText()).as(starter.process().output()).startsWith("arn:aws:ecs:local:");
        LocalEcs.LaunchedTask launched = runtime.ecs().launched("ric-ledger").get(0);
        assertThat(launched.request().taskDefinition()).isEqualTo("ledger:3");
        assertThat(launched.request().containers()).extracting(c -> c.name()).containsExactly("app", "report");
        assertThat(launched.request().container("report").orElseThrow().environment())
                .contains(new EnvironmentVariable("FORMAT", "pdf"), new EnvironmentVariable(AttemptMetadata.JOB_ENV, "ledger"));
    }

    @Test
    void aJobsFileWithBadSettings_isOneInitErrorListingEachOfThem() throws Exception {
        Map<String, String> variables = functionVariables();
        variables.put(Setting.CONFIG_FILE.variable(), Files.writeString(work.resolve("bad-jobs.json"), """
                {"jobs": {
                  "ledger": {"RETRIER_TASK_DEFINITION": "ledger:3", "RETRIER_MAX_ATTEMPTS": 0},
                  "reports": {"RETRIER_TASK_DEFINITION": "reports:2", "RETRIER_BACKOFF_JITTER": "SOME"}
                }}
                """).toString());
        Function starter = start("starter", STARTER, variables);

        Result.Error error = starter.runtimeApi().initError().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(JsonTrees.tree(error.body()).path("errorMessage").asText()).as(starter.process().output())
                .contains("jobs.ledger.RETRIER_MAX_ATTEMPTS='0': must be between 1 and 10",
                        "jobs.reports.RETRIER_BACKOFF_JITTER='SOME': must be one of");
        assertThat(starter.runtimeApi().calls()).doesNotContain("GET /2018-06-01/runtime/invocation/next");
    }

    // ---------------------------------------------------------------------------------------------

    /** The local runtime's own handler settings (cluster, topic, starter...), pointed at the endpoint. */
    private Map<String, String> functionVariables() {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.put(Setting.RETRYABLE_EXIT_CODES, "2");
        Map<String, String> variables = new HashMap<>(LocalSettings.environment(settings));
        variables.put("AWS_DEFAULT_REGION", variables.get(Setting.REGION.variable()));
        variables.put("AWS_ENDPOINT_URL", endpoint.uri().toString());
        return variables;
    }

    /** A new execution environment for the function: its Runtime API, and the runtime client on it. */
    private Function start(String function, String handler, Map<String, String> variables) throws Exception {
        LoopbackRuntimeApi runtimeApi = new LoopbackRuntimeApi();
        Map<String, String> environment = RuntimeClientProcess.lambdaEnvironment(function, handler, runtimeApi.address(),
                taskRoot, variables);
        RuntimeClientProcess process = RuntimeClientProcess.start(taskRoot, runtimeClientClassPath, handler, environment,
                Files.createTempFile(work, function + "-", ".log"));
        Function started = new Function(runtimeApi, process);
        functions.add(started);
        return started;
    }

    /** A task of the run that keeps running (the local ECS knows it), started by the starter under the runtime client. */
    private String runningTask(String runId) throws Exception {
        Function starter = start("starter", STARTER, functionVariables());
        JsonNode answer = starter.response("{\"runId\":\"" + runId + "\",\"containerOverrides\":[{\"name\":\"app\","
                + "\"environment\":[{\"name\":\"WORK_SECONDS\",\"value\":\"600\"}]}]}", LocalSettings.STARTER_ARN);
        return answer.path("taskArn").asText();
    }

    /** A real STOPPED event (functions' fixture) for the given task of the local cluster. */
    private static String stoppedEvent(String fixture, String runId, String taskArn) {
        ObjectNode event = Fixtures.localEvent(fixture, runId);
        event.put("region", LocalSettings.REGION);
        event.put("account", LocalSettings.ACCOUNT);
        ((ArrayNode) event.withArray("resources")).removeAll().add(taskArn);
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("taskArn", taskArn);
        detail.put("taskDefinitionArn", LocalSettings.TASK_DEFINITION_ARN);
        for (JsonNode container : detail.path("containers")) {
            ((ObjectNode) container).put("taskArn", taskArn);
        }
        return JsonTrees.write(event);
    }

    private static <T> T await(java.util.function.Supplier<Optional<T>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> value = condition.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + WAIT);
    }
}
