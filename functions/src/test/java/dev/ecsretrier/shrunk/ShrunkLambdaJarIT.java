package dev.ecsretrier.shrunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import dev.ecsretrier.testutil.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lambda jar as ProGuard shrank it (functions/proguard-lambda.pro) works: both handlers run
 * from it, in a JVM of their own whose class path is the shrunk jar and a small driver compiled
 * against that jar alone, against a local fake of ECS (JSON 1.1), EventBridge Scheduler (REST-JSON)
 * and SNS (Query). Every SDK operation the adapters call goes through the real SDK clients, their
 * marshallers, unmarshallers and modeled exceptions, with SigV4 signing and fake credentials; the
 * endpoint is 127.0.0.1, so nothing reaches AWS. Also checked: every class of the shrunk jar loads,
 * verifies and initializes as it does in the unshrunk one; every reference in every class file
 * (class, method, field) resolves within the jar or the JDK as it does in the unshrunk one; and the
 * parts that are loaded by name or listed in resources are all there.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after {@code package}); the pom passes the jars' paths.
 */
class ShrunkLambdaJarIT {

    static final String RUN_TASK = "AmazonEC2ContainerServiceV20141113.RunTask";
    static final String DESCRIBE_TASKS = "AmazonEC2ContainerServiceV20141113.DescribeTasks";
    static final String CREATE_RETRY = "POST /schedules/run-7f3a-2";
    static final String DELETE_TIMEOUT = "DELETE /schedules/run-7f3a-1-timeout";
    static final String PUBLISH = "Publish";
    static final String PUBLISHED = "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
            + "<PublishResult><MessageId>4d7f1c2a-5b1e-4c1d-9f0e-0a1b2c3d4e5f</MessageId></PublishResult>"
            + "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></PublishResponse>";
    static final String TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77";
    static final String STARTER = "dev.ecsretrier.handler.StarterHandler";
    static final String CLASSIFIER = "dev.ecsretrier.handler.ClassifierHandler";
    static final List<String> SHRUNK_PACKAGES = List.of("software/amazon/awssdk/services/ecs/",
            "software/amazon/awssdk/services/sns/", "software/amazon/awssdk/services/scheduler/",
            "software/amazon/awssdk/services/cloudwatchlogs/");

    static Path shrunkJar;
    static Path unshrunkJar;
    static Path driverClasses;

    @TempDir
    Path work;
    private RecordingAwsEndpoint aws;

    @BeforeAll
    static void compileDriverAgainstTheShrunkJarAlone(@TempDir Path classes) throws IOException {
        shrunkJar = Path.of(System.getProperty("ecsretrier.lambda.jar"));
        unshrunkJar = Path.of(System.getProperty("ecsretrier.unshrunk.jar"));
        Path source = Path.of(System.getProperty("ecsretrier.shrunk.driver"),
                "dev/ecsretrier/shrunkdriver/ShrunkJarDriver.java");
        assertThat(shrunkJar).isRegularFile();
        assertThat(unshrunkJar).isRegularFile();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, "--release", "17", "-proc:none",
                "-cp", shrunkJar.toString(), "-d", classes.toString(), source.toString());
        assertThat(status).as("javac of the driver against the shrunk jar: %s", errors).isZero();
        driverClasses = classes;
    }

    @BeforeEach
    void startFakeAws() {
        aws = new RecordingAwsEndpoint();
        noRunIsCancelled();
    }

    @AfterEach
    void stopFakeAws() {
        aws.close();
    }

    /**
     * Every read of a cancel marker finds none: Scheduler's modeled ResourceNotFoundException, which the
     * shrunk adapter must still catch by type.
     */
    private void noRunIsCancelled() {
        aws.answer("GET /schedules/*", Response.restJsonError(404, "ResourceNotFoundException", "Schedule does not exist."));
    }

    @Test
    void starterLaunchesATaskAndReportsARefusedLaunch() throws Exception {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")),
                Response.jsonError(400, "ClientException", "TaskDefinition is inactive"));
        aws.answer(PUBLISH, Response.xml(200, PUBLISHED));

        List<String> out = invoke(environment(), STARTER, "{}", "{}");

        assertThat(out.get(0)).contains("\"taskArn\":\"" + TASK_ARN + "\"").contains("\"attempt\":1");
        // ClientException is a modeled ECS exception: the adapter reads its code from the shrunk model.
        assertThat(out.get(1)).doesNotContain("\"taskArn\"")
                .contains("\"launchFailure\":{").contains("\"reason\":\"ClientException\"")
                .contains("\"detail\":\"TaskDefinition is inactive\"")
                .contains("\"decision\":\"FAILED\"");
        // The cancel marker is read before each RunTask, and after the one that started a task.
        assertThat(aws.operations()).containsExactly("GET /schedules/request-1-cancelled", RUN_TASK,
                "GET /schedules/request-1-cancelled", "GET /schedules/request-2-cancelled", RUN_TASK, PUBLISH);
        Request runTask = aws.requests(RUN_TASK).get(0);
        assertThat(runTask.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/us-east-1/ecs/aws4_request");
        assertThat(runTask.body()).contains("\"cluster\":\"arn:aws:ecs:us-east-1:111122223333:cluster/batch\"")
                .contains("\"launchType\":\"FARGATE\"")
                .contains("\"awsvpcConfiguration\":{\"subnets\":[\"subnet-0a1b2c3d4e5f60718\"],"
                        + "\"securityGroups\":[\"sg-0123456789abcdef0\"],\"assignPublicIp\":\"DISABLED\"}")
                .contains("{\"key\":\"ecs-retrier:attempt\",\"value\":\"1\"}");
        Map<String, String> publish = aws.requests(PUBLISH).get(0).form();
        assertThat(publish).containsEntry("TopicArn", "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes");
        assertThat(publish.get("Message")).contains("ClientException");
    }

    @Test
    void classifierSchedulesARetryOnceAndNotifiesTerminalOutcomes() throws Exception {
        aws.answer(DESCRIBE_TASKS, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/describe-tasks-tagged.json")));
        aws.answer(CREATE_RETRY, Response.restJson(200, "{\"ScheduleArn\":\"arn:aws:scheduler:us-east-1:111122223333:schedule/default/run-7f3a-2\"}"),
                Response.restJsonError(409, "ConflictException", "Schedule run-7f3a-2 already exists."));
        aws.answer(PUBLISH, Response.xml(200, PUBLISHED));

        // App exit 2 (retryable here), the same event again (a duplicate delivery), exit 0, exit 1.
        List<String> out = invoke(environment(), CLASSIFIER, primingEvent(), primingEvent(),
                RecordingAwsEndpoint.fixture("events/succeeded.json"), RecordingAwsEndpoint.fixture("events/app-exit-1.json"));

        assertThat(out.get(0)).contains("\"decision\":\"RETRY\"").contains("\"scheduleName\":\"run-7f3a-2\"")
                .contains("\"alreadyScheduled\":false");
        // ConflictException is a modeled Scheduler exception: the adapter catches it by type.
        assertThat(out.get(1)).contains("\"decision\":\"RETRY\"").contains("\"alreadyScheduled\":true");
        assertThat(out.get(2)).contains("\"decision\":\"SUCCEEDED\"");
        assertThat(out.get(3)).contains("\"decision\":\"FAILED\"");
        // A retry reads the run's cancel marker before it schedules.
        String marker = "GET /schedules/run-7f3a-cancelled";
        assertThat(aws.operations()).containsExactly(DESCRIBE_TASKS, marker, CREATE_RETRY, DESCRIBE_TASKS, marker,
                CREATE_RETRY, DESCRIBE_TASKS, PUBLISH, DESCRIBE_TASKS, PUBLISH);
        assertThat(aws.requests(DESCRIBE_TASKS).get(0).body())
                .contains("\"tasks\":[\"" + TASK_ARN + "\"]").contains("\"include\":[\"TAGS\"]");
        Request schedule = aws.requests(CREATE_RETRY).get(0);
        assertThat(schedule.path()).isEqualTo("/schedules/run-7f3a-2");
        assertThat(schedule.header("Authorization")).contains("/us-east-1/scheduler/aws4_request");
        assertThat(schedule.body()).contains("\"GroupName\":\"default\"")
                .contains("\"ActionAfterCompletion\":\"DELETE\"")
                .contains("\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"}")
                .contains("\"Arn\":\"arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live\"")
                .contains("\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:us-east-1:111122223333:ecs-retrier-dlq\"}")
                .contains("\"RetryPolicy\":{\"MaximumEventAgeInSeconds\":3600,\"MaximumRetryAttempts\":10}");
        List<Request> publishes = aws.requests(PUBLISH);
        assertThat(publishes.get(0).header("Authorization")).contains("/us-east-1/sns/aws4_request");
        assertThat(publishes.get(0).form()).containsEntry("Action", "Publish")
                .containsEntry("TopicArn", "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes")
                .containsEntry("MessageAttributes.entry.1.Value.DataType", "String");
        assertThat(publishes.get(0).form().get("Message")).contains("SUCCEEDED");
        assertThat(publishes.get(1).form().get("Message")).contains("FAILED");
    }

    @Test
    void attemptTimeoutIsScheduledByTheStarterAndCancelledByTheClassifier() throws Exception {
        Map<String, String> env = environment();
        env.put("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600");
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));
        // The stop schedule is named after the new run.
        aws.answer("POST /schedules/*", Response.restJson(200, "{\"ScheduleArn\":\"arn:aws:scheduler:us-east-1:111122223333:schedule/default/x\"}"));

        String started = invoke(env, STARTER, "{}").get(0);

        // A start without a run id takes the invocation's request id (the driver's "request-1").
        Matcher runId = Pattern.compile("\"runId\":\"(request-1)\"").matcher(started);
        assertThat(runId.find()).as(started).isTrue();
        assertThat(started).contains("\"taskArn\":\"" + TASK_ARN + "\"");
        String createStop = "POST /schedules/" + runId.group(1) + "-1-timeout";
        String marker = "GET /schedules/" + runId.group(1) + "-cancelled";
        assertThat(aws.operations()).containsExactly(marker, RUN_TASK, marker, createStop);
        Request stop = aws.only(createStop);
        assertThat(stop.body()).contains("\"Arn\":\"arn:aws:scheduler:::aws-sdk:ecs:stopTask\"")
                .contains(TASK_ARN).contains("attempt timeout");

        aws.clear();
        noRunIsCancelled();
        aws.answer(DESCRIBE_TASKS, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/describe-tasks-tagged.json")));
        // The first cancel deletes the schedule; the second finds it gone (a modeled exception, caught).
        aws.answer(DELETE_TIMEOUT, Response.restJson(200, "{}"),
                Response.restJsonError(404, "ResourceNotFoundException", "Schedule run-7f3a-1-timeout does not exist."));
        aws.answer(PUBLISH, Response.xml(200, PUBLISHED));

        List<String> out = invoke(env, CLASSIFIER, RecordingAwsEndpoint.fixture("events/succeeded.json"), RecordingAwsEndpoint.fixture("events/app-exit-1.json"));

        assertThat(out.get(0)).contains("\"decision\":\"SUCCEEDED\"");
        assertThat(out.get(1)).contains("\"decision\":\"FAILED\"");
        assertThat(aws.operations()).containsExactly(DESCRIBE_TASKS, DELETE_TIMEOUT, PUBLISH,
                DESCRIBE_TASKS, DELETE_TIMEOUT, PUBLISH);
        Request delete = aws.requests(DELETE_TIMEOUT).get(0);
        assertThat(delete.method()).isEqualTo("DELETE");
        assertThat(delete.path()).isEqualTo("/schedules/run-7f3a-1-timeout");
        assertThat(delete.query()).contains("groupName=default");
    }

    @Test
    void snapStartPrimingRunsWithoutCallingAws() throws Exception {
        run(environment(), shrunkJar, List.of("prime"));

        assertThat(aws.operations()).isEmpty();
    }

    @Test
    void everyClassLoadsVerifiesAndInitializesAsInTheUnshrunkJar() throws Exception {
        // Both jars at once, each in a JVM of its own: the two runs are independent.
        Linking shrunkLinking = link(shrunkJar, "shrunk");
        Linking unshrunkLinking = link(unshrunkJar, "unshrunk");
        Map<String, String> shrunk = shrunkLinking.results();
        Map<String, String> unshrunk = unshrunkLinking.results();

        assertThat(shrunk.values()).as("no class may fail verification").noneMatch(r -> r.contains("VerifyError")
                || r.contains("ClassFormatError") || r.contains("IncompatibleClassChangeError"));
        Map<String, String> newFailures = shrunk.entrySet().stream()
                .filter(e -> !e.getValue().equals("OK") && "OK".equals(unshrunk.get(e.getKey())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        assertThat(newFailures).as("classes that load in the unshrunk jar but not in the shrunk one").isEmpty();
        assertThat(shrunk.keySet()).contains(STARTER, CLASSIFIER);
    }

    /**
     * The JVM resolves a method or field reference only when the instruction first runs, so a class
     * that initializes can still call a method the shrinker removed. Every reference in every class
     * file is resolved here instead; the unshrunk jar's own unresolved references (optional
     * dependencies the SDK touches only when present: the CRT, SLF4J bindings) are not ProGuard's doing.
     */
    @Test
    void everyReferenceInEveryClassResolvesAsInTheUnshrunkJar() throws IOException {
        JarReferences shrunk = JarReferences.of(shrunkJar);
        Set<String> introduced = new TreeSet<>(shrunk.unresolved());
        introduced.removeAll(JarReferences.of(unshrunkJar).unresolved());

        assertThat(shrunk.classCount()).isGreaterThan(1000);
        assertThat(introduced).as("references that resolve in the unshrunk jar but not in the shrunk one").isEmpty();
        // What stays unresolved is only what proguard-lambda.pro names in -dontwarn (optional dependencies).
        assertThat(shrunk.unresolved()).allSatisfy(reference -> assertThat(reference.substring(reference.indexOf(" -> ") + 4)
                .replaceFirst("^class ", "")).matches("(software/amazon/awssdk/crt/|software/amazon/awssdk/crtcore/"
                + "|org/slf4j/impl/).*"));
    }

    /** The check above sees what loading every class does not: a method missing from a kept method body. */
    @Test
    void aMethodMissingFromTheJarIsAnUnresolvedReference() throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        entries(shrunkJar).forEach((name, bytes) -> {
            if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                classes.put(name.substring(0, name.length() - ".class".length()), bytes);
            }
        });
        String owner = "dev/ecsretrier/core/AttemptMetadata";
        classes.put(owner, JarReferencesTest.withoutMethod(classes.get(owner), "attemptKey"));

        assertThat(JarReferences.of(classes).unresolved()).contains("dev/ecsretrier/handler/LaunchRequests -> "
                + owner + ".attemptKey(Ljava/lang/String;I)Ljava/lang/String;");
    }

    @Test
    void keepsEverythingOutsideTheServicePackagesAndEveryResource() throws IOException {
        Map<String, byte[]> shrunk = entries(shrunkJar);
        Map<String, byte[]> unshrunk = entries(unshrunkJar);

        // Resources byte for byte (META-INF/services, partitions.json, endpoint rules, the priming event...).
        // Only META-INF/versions goes: the jar is not a multi-release jar (no Multi-Release in its
        // manifest), and Lambda runs it unpacked, so those class files are never loaded.
        Set<String> missing = new TreeSet<>(unshrunk.keySet());
        missing.removeAll(shrunk.keySet());
        missing.removeIf(n -> n.startsWith("META-INF/versions/"));
        missing.removeIf(n -> n.endsWith(".class") && SHRUNK_PACKAGES.stream().anyMatch(n::startsWith));
        assertThat(missing).as("entries outside the four service packages that ProGuard dropped").isEmpty();
        assertThat(new String(shrunk.get("META-INF/MANIFEST.MF"), StandardCharsets.UTF_8)).doesNotContain("Multi-Release");
        for (Map.Entry<String, byte[]> entry : unshrunk.entrySet()) {
            if (!entry.getKey().endsWith(".class") && shrunk.containsKey(entry.getKey())) {
                assertThat(shrunk.get(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
            }
        }

        // The SDK finds its HTTP client and warm-up providers through ServiceLoader: every provider
        // listed in META-INF/services is in the jar.
        assertThat(new String(shrunk.get("META-INF/services/software.amazon.awssdk.http.SdkHttpService"),
                StandardCharsets.UTF_8)).contains("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
        List<String> services = shrunk.keySet().stream()
                .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/")).toList();
        assertThat(services).contains("META-INF/services/software.amazon.awssdk.http.SdkHttpService",
                "META-INF/services/software.amazon.awssdk.core.warmup.SdkWarmUpProvider");
        for (String service : services) {
            for (String line : new String(shrunk.get(service), StandardCharsets.UTF_8).split("\n")) {
                String provider = line.replaceAll("#.*", "").trim();
                if (!provider.isEmpty()) {
                    assertThat(shrunk).as("%s names %s", service, provider).containsKey(provider.replace('.', '/') + ".class");
                }
            }
        }

        // Inside the service packages: the kept-whole parts, every modeled exception, and the
        // operations the adapters call; and the shrinking did happen.
        for (String name : unshrunk.keySet()) {
            boolean keptWhole = name.matches("software/amazon/awssdk/services/[a-z]+/(endpoints|auth|internal)/.*\\.class")
                    || name.matches("software/amazon/awssdk/services/[a-z]+/model/[A-Za-z]*Exception(\\$.*)?\\.class")
                    || name.matches("software/amazon/awssdk/services/[a-z]+/[A-Za-z]*Builder\\.class");
            if (keptWhole) {
                assertThat(shrunk).as("kept whole").containsKey(name);
            }
        }
        assertThat(shrunk).containsKeys(
                "software/amazon/awssdk/services/ecs/transform/RunTaskRequestMarshaller.class",
                "software/amazon/awssdk/services/ecs/transform/DescribeTasksRequestMarshaller.class",
                "software/amazon/awssdk/services/scheduler/transform/CreateScheduleRequestMarshaller.class",
                "software/amazon/awssdk/services/scheduler/transform/DeleteScheduleRequestMarshaller.class",
                "software/amazon/awssdk/services/cloudwatchlogs/transform/FilterLogEventsRequestMarshaller.class",
                "software/amazon/awssdk/services/sns/transform/PublishRequestMarshaller.class");
        assertThat(count(shrunk, "software/amazon/awssdk/services/ecs/model/"))
                .isLessThan(count(unshrunk, "software/amazon/awssdk/services/ecs/model/") / 2);
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The sample stack's settings in one subnet and the default schedule group, a dead-letter queue,
     * fake credentials, the local endpoint, and none of the machine's AWS files.
     */
    private Map<String, String> environment() {
        return TestEnvironment.with(TestEnvironment.sample(),
                "RETRIER_SUBNETS", "subnet-0a1b2c3d4e5f60718",
                "RETRIER_SCHEDULE_GROUP", null,
                "RETRIER_SCHEDULE_DEAD_LETTER_ARN", "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-dlq",
                "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret",
                "AWS_ENDPOINT_URL", aws.uri().toString(),
                "AWS_CONFIG_FILE", work.resolve("no-aws-config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString(),
                "AWS_EC2_METADATA_DISABLED", "true");
    }

    /** Runs the handler from the shrunk jar in a JVM of its own, one instance for all inputs; returns its answers. */
    private List<String> invoke(Map<String, String> env, String handler, String... inputs) throws Exception {
        List<String> args = new ArrayList<>(List.of("invoke", handler));
        List<Path> outputs = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            Path in = Files.writeString(Files.createTempFile(work, "in-", ".json"), inputs[i]);
            Path out = Files.createTempFile(work, "out-", ".json");
            args.add(in.toString());
            args.add(out.toString());
            outputs.add(out);
        }
        run(env, shrunkJar, args);
        List<String> answers = new ArrayList<>();
        for (Path out : outputs) {
            answers.add(Files.readString(out));
        }
        return answers;
    }

    /** Every class of a jar being initialized in a JVM of its own, and where it reports. */
    private record Linking(Running driver, Path report) {
        /** Class name -> "OK" or the failure, once the JVM has finished. */
        Map<String, String> results() throws Exception {
            driver.await();
            Map<String, String> results = new TreeMap<>();
            for (String line : Files.readAllLines(report)) {
                String[] parts = line.split(" ", 3);
                results.put(parts[1], parts[0].equals("OK") ? "OK" : parts[2]);
            }
            return results;
        }
    }

    private Linking link(Path jar, String name) throws Exception {
        Path report = Files.createTempFile(work, "link-", ".txt");
        return new Linking(start(environment(), jar, List.of("link", jar.toString(), report.toString()), name), report);
    }

    private void run(Map<String, String> env, Path jar, List<String> args) throws Exception {
        start(env, jar, args, "driver").await();
    }

    /** The driver running, its standard output and error going to files named after it in the work folder. */
    private record Running(Process process, List<String> command, String what, Path stdout, Path stderr) {
        void await() throws Exception {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the driver did not finish within 120 s: " + command);
            }
            assertThat(process.exitValue()).as("driver %s exited; stderr:%n%s%nstdout:%n%s", what,
                    Files.readString(stderr), Files.readString(stdout)).isZero();
        }
    }

    private Running start(Map<String, String> env, Path jar, List<String> args, String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Lambda's Java runtime flags.
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-cp", driverClasses + java.io.File.pathSeparator + jar,
                "dev.ecsretrier.shrunkdriver.ShrunkJarDriver"));
        command.addAll(args);
        Path stdout = work.resolve(name + "-stdout.txt");
        Path stderr = work.resolve(name + "-stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // Only what is set here: no AWS settings, profiles or credentials of the machine running the build.
        builder.environment().clear();
        builder.environment().putAll(env);
        return new Running(builder.start(), command, args.get(0), stdout, stderr);
    }

    private static String primingEvent() throws IOException {
        // The classifier's own sample event, from the source tree (the same file is in the jar).
        return Files.readString(Path.of("src/main/resources/dev/ecsretrier/handler/priming-event.json"));
    }

    private static Map<String, byte[]> entries(Path jar) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                try (InputStream in = zip.getInputStream(entry)) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    private static long count(Map<String, byte[]> entries, String prefix) {
        return entries.keySet().stream().filter(n -> n.startsWith(prefix) && n.endsWith(".class")).count();
    }
}
