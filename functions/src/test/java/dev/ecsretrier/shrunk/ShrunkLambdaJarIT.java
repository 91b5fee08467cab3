package dev.ecsretrier.shrunk;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * endpoint is 127.0.0.1, so nothing reaches AWS. Also checked: every class of the shrunk jar links
 * as it does in the unshrunk one, and the parts that are loaded by name or listed in resources are
 * all there.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after {@code package}); the pom passes the jars' paths.
 */
class ShrunkLambdaJarIT {

    static final String RUN_TASK = "AmazonEC2ContainerServiceV20141113.RunTask";
    static final String DESCRIBE_TASKS = "AmazonEC2ContainerServiceV20141113.DescribeTasks";
    static final String TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77";
    static final String STARTER = "dev.ecsretrier.handler.StarterHandler";
    static final String CLASSIFIER = "dev.ecsretrier.handler.ClassifierHandler";
    static final List<String> SHRUNK_PACKAGES = List.of("software/amazon/awssdk/services/ecs/",
            "software/amazon/awssdk/services/sns/", "software/amazon/awssdk/services/scheduler/");

    static Path shrunkJar;
    static Path unshrunkJar;
    static Path driverClasses;

    @TempDir
    Path work;
    private FakeAws aws;

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
    void startFakeAws() throws IOException {
        aws = new FakeAws();
    }

    @AfterEach
    void stopFakeAws() {
        aws.close();
    }

    @Test
    void starterLaunchesATaskAndReportsARefusedLaunch() throws Exception {
        aws.answer("RunTask", Answer.json(200, fixture("aws/ecs/run-task-started.json")),
                Answer.json(400, "{\"__type\":\"ClientException\",\"message\":\"TaskDefinition is inactive\"}"));
        aws.answer("Publish", Answer.publish());

        List<String> out = invoke(environment(), STARTER, "{}", "{}");

        assertThat(out.get(0)).contains("\"taskArn\":\"" + TASK_ARN + "\"").contains("\"attempt\":1");
        // ClientException is a modeled ECS exception: the adapter reads its code from the shrunk model.
        assertThat(out.get(1)).doesNotContain("\"taskArn\"")
                .contains("\"launchFailure\":{").contains("\"reason\":\"ClientException\"")
                .contains("\"detail\":\"TaskDefinition is inactive\"")
                .contains("\"decision\":\"FAILED\"");
        assertThat(aws.operations()).containsExactly("RunTask", "RunTask", "Publish");
        FakeAws.Request runTask = aws.requests("RunTask").get(0);
        assertThat(runTask.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/us-east-1/ecs/aws4_request");
        assertThat(runTask.body()).contains("\"cluster\":\"arn:aws:ecs:us-east-1:111122223333:cluster/batch\"")
                .contains("\"launchType\":\"FARGATE\"")
                .contains("\"awsvpcConfiguration\":{\"subnets\":[\"subnet-0a1b2c3d4e5f60718\"],"
                        + "\"securityGroups\":[\"sg-0123456789abcdef0\"],\"assignPublicIp\":\"DISABLED\"}")
                .contains("{\"key\":\"ecs-retrier:attempt\",\"value\":\"1\"}");
        Map<String, String> publish = aws.requests("Publish").get(0).form();
        assertThat(publish).containsEntry("TopicArn", "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes");
        assertThat(publish.get("Message")).contains("ClientException");
    }

    @Test
    void classifierSchedulesARetryOnceAndNotifiesTerminalOutcomes() throws Exception {
        aws.answer("DescribeTasks", Answer.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));
        aws.answer("CreateSchedule", Answer.restJson(200, "{\"ScheduleArn\":\"arn:aws:scheduler:us-east-1:111122223333:schedule/default/run-7f3a-2\"}"),
                Answer.restJsonError(409, "ConflictException", "Schedule run-7f3a-2 already exists."));
        aws.answer("Publish", Answer.publish());

        // App exit 2 (retryable here), the same event again (a duplicate delivery), exit 0, exit 1.
        List<String> out = invoke(environment(), CLASSIFIER, primingEvent(), primingEvent(),
                fixture("events/succeeded.json"), fixture("events/app-exit-1.json"));

        assertThat(out.get(0)).contains("\"decision\":\"RETRY\"").contains("\"scheduleName\":\"run-7f3a-2\"")
                .contains("\"alreadyScheduled\":false");
        // ConflictException is a modeled Scheduler exception: the adapter catches it by type.
        assertThat(out.get(1)).contains("\"decision\":\"RETRY\"").contains("\"alreadyScheduled\":true");
        assertThat(out.get(2)).contains("\"decision\":\"SUCCEEDED\"");
        assertThat(out.get(3)).contains("\"decision\":\"FAILED\"");
        assertThat(aws.operations()).containsExactly("DescribeTasks", "CreateSchedule", "DescribeTasks", "CreateSchedule",
                "DescribeTasks", "Publish", "DescribeTasks", "Publish");
        assertThat(aws.requests("DescribeTasks").get(0).body())
                .contains("\"tasks\":[\"" + TASK_ARN + "\"]").contains("\"include\":[\"TAGS\"]");
        FakeAws.Request schedule = aws.requests("CreateSchedule").get(0);
        assertThat(schedule.path()).isEqualTo("/schedules/run-7f3a-2");
        assertThat(schedule.header("Authorization")).contains("/us-east-1/scheduler/aws4_request");
        assertThat(schedule.body()).contains("\"GroupName\":\"default\"")
                .contains("\"ActionAfterCompletion\":\"DELETE\"")
                .contains("\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"}")
                .contains("\"Arn\":\"arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live\"")
                .contains("\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:us-east-1:111122223333:ecs-retrier-dlq\"}")
                .contains("\"RetryPolicy\":{\"MaximumEventAgeInSeconds\":3600,\"MaximumRetryAttempts\":10}");
        List<FakeAws.Request> publishes = aws.requests("Publish");
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
        aws.answer("RunTask", Answer.json(200, fixture("aws/ecs/run-task-started.json")));
        aws.answer("CreateSchedule", Answer.restJson(200, "{\"ScheduleArn\":\"arn:aws:scheduler:us-east-1:111122223333:schedule/default/x\"}"));

        String started = invoke(env, STARTER, "{}").get(0);

        Matcher runId = Pattern.compile("\"runId\":\"([0-9a-f-]{36})\"").matcher(started);
        assertThat(runId.find()).as(started).isTrue();
        assertThat(started).contains("\"taskArn\":\"" + TASK_ARN + "\"");
        assertThat(aws.operations()).containsExactly("RunTask", "CreateSchedule");
        FakeAws.Request stop = aws.requests("CreateSchedule").get(0);
        assertThat(stop.path()).isEqualTo("/schedules/" + runId.group(1) + "-1-timeout");
        assertThat(stop.body()).contains("\"Arn\":\"arn:aws:scheduler:::aws-sdk:ecs:stopTask\"")
                .contains(TASK_ARN).contains("attempt timeout");

        aws.clear();
        aws.answer("DescribeTasks", Answer.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));
        // The first cancel deletes the schedule; the second finds it gone (a modeled exception, caught).
        aws.answer("DeleteSchedule", Answer.restJson(200, "{}"),
                Answer.restJsonError(404, "ResourceNotFoundException", "Schedule run-7f3a-1-timeout does not exist."));
        aws.answer("Publish", Answer.publish());

        List<String> out = invoke(env, CLASSIFIER, fixture("events/succeeded.json"), fixture("events/app-exit-1.json"));

        assertThat(out.get(0)).contains("\"decision\":\"SUCCEEDED\"");
        assertThat(out.get(1)).contains("\"decision\":\"FAILED\"");
        assertThat(aws.operations()).containsExactly("DescribeTasks", "DeleteSchedule", "Publish",
                "DescribeTasks", "DeleteSchedule", "Publish");
        FakeAws.Request delete = aws.requests("DeleteSchedule").get(0);
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
    void everyClassLinksAndInitializesAsInTheUnshrunkJar() throws Exception {
        Map<String, String> shrunk = link(shrunkJar);
        Map<String, String> unshrunk = link(unshrunkJar);

        assertThat(shrunk.values()).as("no class may fail verification").noneMatch(r -> r.contains("VerifyError")
                || r.contains("ClassFormatError") || r.contains("IncompatibleClassChangeError"));
        Map<String, String> newFailures = shrunk.entrySet().stream()
                .filter(e -> !e.getValue().equals("OK") && "OK".equals(unshrunk.get(e.getKey())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        assertThat(newFailures).as("classes that load in the unshrunk jar but not in the shrunk one").isEmpty();
        assertThat(shrunk.keySet()).contains(STARTER, CLASSIFIER);
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
        assertThat(missing).as("entries outside the three service packages that ProGuard dropped").isEmpty();
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
                "software/amazon/awssdk/services/sns/transform/PublishRequestMarshaller.class");
        assertThat(count(shrunk, "software/amazon/awssdk/services/ecs/model/"))
                .isLessThan(count(unshrunk, "software/amazon/awssdk/services/ecs/model/") / 2);
    }

    // ---------------------------------------------------------------------------------------------

    /** The settings of bench/coldstart/run.sh, a dead-letter queue, and no way to reach real AWS. */
    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        env.put("AWS_SECRET_ACCESS_KEY", "secret");
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + aws.port());
        env.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("RETRIER_CLUSTER", "arn:aws:ecs:us-east-1:111122223333:cluster/batch");
        env.put("RETRIER_TASK_DEFINITION", "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3");
        env.put("RETRIER_CONTAINER_NAME", "app");
        env.put("RETRIER_RETRYABLE_EXIT_CODES", "2");
        env.put("RETRIER_LAUNCH_TYPE", "FARGATE");
        env.put("RETRIER_SUBNETS", "subnet-0a1b2c3d4e5f60718");
        env.put("RETRIER_SECURITY_GROUPS", "sg-0123456789abcdef0");
        env.put("RETRIER_SCHEDULER_ROLE_ARN", "arn:aws:iam::111122223333:role/ecs-retrier-scheduler");
        env.put("RETRIER_SCHEDULE_DEAD_LETTER_ARN", "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-dlq");
        env.put("RETRIER_TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes");
        env.put("RETRIER_STARTER_ARN", "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live");
        return env;
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

    /** Class name -> "OK" or the failure, for every class of the jar, initialized in a JVM of its own. */
    private Map<String, String> link(Path jar) throws Exception {
        Path report = Files.createTempFile(work, "link-", ".txt");
        run(environment(), jar, List.of("link", jar.toString(), report.toString()));
        Map<String, String> results = new TreeMap<>();
        for (String line : Files.readAllLines(report)) {
            String[] parts = line.split(" ", 3);
            results.put(parts[1], parts[0].equals("OK") ? "OK" : parts[2]);
        }
        return results;
    }

    private void run(Map<String, String> env, Path jar, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Lambda's Java runtime flags.
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-cp", driverClasses + java.io.File.pathSeparator + jar,
                "dev.ecsretrier.shrunkdriver.ShrunkJarDriver"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(work.resolve("stdout.txt").toFile())
                .redirectError(work.resolve("stderr.txt").toFile());
        // Only what is set here: no AWS settings, profiles or credentials of the machine running the build.
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the driver did not finish within 120 s: " + command);
        }
        assertThat(process.exitValue()).as("driver %s exited; stderr:%n%s%nstdout:%n%s", args.get(0),
                Files.readString(work.resolve("stderr.txt")), Files.readString(work.resolve("stdout.txt"))).isZero();
    }

    private static String primingEvent() throws IOException {
        // The classifier's own sample event, from the source tree (the same file is in the jar).
        return Files.readString(Path.of("src/main/resources/dev/ecsretrier/handler/priming-event.json"));
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = ShrunkLambdaJarIT.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
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

    // ---------------------------------------------------------------------------------------------

    /** One canned HTTP answer. */
    record Answer(int status, String contentType, String body, Map<String, String> headers) {

        static Answer json(int status, String body) {
            return new Answer(status, "application/x-amz-json-1.1", body, Map.of());
        }

        static Answer restJson(int status, String body) {
            return new Answer(status, "application/json", body, Map.of());
        }

        static Answer restJsonError(int status, String errorType, String message) {
            return new Answer(status, "application/json", "{\"Message\":\"" + message + "\"}",
                    Map.of("X-Amzn-ErrorType", errorType));
        }

        static Answer publish() {
            return new Answer(200, "text/xml", "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                    + "<PublishResult><MessageId>4d7f1c2a-5b1e-4c1d-9f0e-0a1b2c3d4e5f</MessageId></PublishResult>"
                    + "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></PublishResponse>", Map.of());
        }
    }

    /**
     * ECS, Scheduler and SNS on 127.0.0.1, as bench/coldstart/fake_ecs.py: records every request and
     * answers each operation with its canned answers in turn, the last one repeating. Operations are
     * named as in the SDK: RunTask and DescribeTasks (JSON 1.1, {@code X-Amz-Target}), CreateSchedule
     * and DeleteSchedule (REST-JSON, {@code POST|DELETE /schedules/NAME}), Publish (Query, {@code Action}).
     */
    static final class FakeAws implements AutoCloseable {

        record Request(String operation, String method, String path, String query, Map<String, String> headers,
                       String body) {

            String header(String name) {
                return headers.get(name.toLowerCase(java.util.Locale.ROOT));
            }

            /** The body as form fields (SNS Query requests). */
            Map<String, String> form() {
                Map<String, String> fields = new LinkedHashMap<>();
                for (String pair : body.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
                return fields;
            }
        }

        private final HttpServer server;
        private final List<Request> requests = new CopyOnWriteArrayList<>();
        private final Map<String, Deque<Answer>> answers = new java.util.concurrent.ConcurrentHashMap<>();

        FakeAws() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void answer(String operation, Answer... inTurn) {
            answers.put(operation, new ArrayDeque<>(List.of(inTurn)));
        }

        void clear() {
            requests.clear();
            answers.clear();
        }

        List<String> operations() {
            return requests.stream().map(Request::operation).toList();
        }

        List<Request> requests(String operation) {
            return requests.stream().filter(r -> r.operation().equals(operation)).toList();
        }

        @Override
        public void close() {
            server.stop(0);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                Map<String, String> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) ->
                        headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values)));
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                String method = exchange.getRequestMethod();
                String path = exchange.getRequestURI().getRawPath();
                String operation = operation(method, path, headers, body);
                requests.add(new Request(operation, method, path, exchange.getRequestURI().getRawQuery(), headers, body));
                Answer answer = next(operation);
                byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", answer.contentType());
                exchange.getResponseHeaders().set("x-amzn-RequestId", "fake-" + requests.size());
                answer.headers().forEach(exchange.getResponseHeaders()::set);
                exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        private static String operation(String method, String path, Map<String, String> headers, String body) {
            String target = headers.get("x-amz-target");
            if (target != null) {
                return target.equals(RUN_TASK) ? "RunTask" : target.equals(DESCRIBE_TASKS) ? "DescribeTasks" : target;
            }
            if (path.startsWith("/schedules/")) {
                return method.equals("POST") ? "CreateSchedule" : method.equals("DELETE") ? "DeleteSchedule"
                        : method + " " + path;
            }
            Matcher action = Pattern.compile("(?:^|&)Action=([A-Za-z]+)").matcher(body);
            return action.find() ? action.group(1) : method + " " + path;
        }

        private Answer next(String operation) {
            Deque<Answer> queue = answers.get(operation);
            if (queue == null) {
                // Unexpected calls fail loudly, with a code the SDK does not retry.
                return Answer.json(400, "{\"__type\":\"UnexpectedOperation\",\"message\":\"no answer for " + operation + "\"}");
            }
            synchronized (queue) {
                return queue.size() > 1 ? queue.poll() : queue.peek();
            }
        }
    }
}
