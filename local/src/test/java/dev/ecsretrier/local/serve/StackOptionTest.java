package dev.ecsretrier.local.serve;

import static dev.ecsretrier.local.serve.OperateCommandsTest.retrier;
import static dev.ecsretrier.local.serve.OperateCommandsTest.startRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ecsretrier.config.StackOutput;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code --stack NAME}: the deployment is read from the stack's CloudFormation outputs
 * ({@code DescribeStacks}, query protocol), then the commands make their usual calls. CloudFormation
 * is answered here, in front of serve, which takes every other call.
 */
class StackOptionTest {

    static final String STACK = "EcsRetrierSample";

    static ServedRuntime served;
    static HttpServer front;
    static final List<String> describedStacks = new CopyOnWriteArrayList<>();
    /** The outputs the stack has: serve's names, as the sample stack's outputs name its own resources. */
    static final Map<String, String> outputs = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        served = new ServedRuntime(61);
        outputs.put(StackOutput.STARTER_ALIAS_ARN.key(), LocalSettings.STARTER_ARN);
        outputs.put(StackOutput.CLUSTER_ARN.key(), served.runtime.config().cluster());
        outputs.put(StackOutput.STARTED_BY.key(), served.runtime.config().startedBy());
        outputs.put(StackOutput.SCHEDULE_GROUP_NAME.key(), served.runtime.config().scheduleGroup());
        outputs.put(StackOutput.SCHEDULER_ROLE_ARN.key(), LocalSettings.SCHEDULER_ROLE_ARN);
        outputs.put(StackOutput.STARTER_LOG_GROUP_NAME.key(), "/aws/lambda/" + LocalSettings.STARTER_FUNCTION);
        outputs.put(StackOutput.CLASSIFIER_LOG_GROUP_NAME.key(), "/aws/lambda/" + LocalSettings.CLASSIFIER_FUNCTION);
        front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        front.createContext("/", StackOptionTest::handle);
        front.start();
    }

    @AfterAll
    static void stop() {
        front.stop(0);
        served.close();
    }

    static String frontUrl() {
        return "http://127.0.0.1:" + front.getAddress().getPort();
    }

    /** DescribeStacks here (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html); the rest to serve. */
    static void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String form = new String(body, StandardCharsets.UTF_8);
        if (form.contains("Action=DescribeStacks")) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String pair : form.split("&")) {
                String[] kv = pair.split("=", 2);
                fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
            describedStacks.add(fields.get("StackName"));
            StringBuilder members = new StringBuilder();
            outputs.forEach((key, value) -> members.append("<member><OutputKey>").append(key)
                    .append("</OutputKey><OutputValue>").append(value).append("</OutputValue></member>"));
            answer(exchange, 200, "text/xml", ("<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">"
                    + "<DescribeStacksResult><Stacks><member><StackName>" + STACK + "</StackName>"
                    + "<StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/" + STACK + "/1</StackId>"
                    + "<CreationTime>2025-03-14T09:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>"
                    + "<Outputs>" + members + "</Outputs></member></Stacks></DescribeStacksResult>"
                    + "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        HttpURLConnection serve = (HttpURLConnection) URI.create(served.endpoint.uri() + exchange.getRequestURI().toString())
                .toURL().openConnection();
        serve.setRequestMethod(exchange.getRequestMethod());
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> serve.addRequestProperty(name, value));
            }
        });
        if (body.length > 0) {
            serve.setDoOutput(true);
            try (OutputStream out = serve.getOutputStream()) {
                out.write(body);
            }
        }
        int status = serve.getResponseCode();
        byte[] answer;
        try (InputStream in = status < 400 ? serve.getInputStream() : serve.getErrorStream()) {
            answer = in == null ? new byte[0] : in.readAllBytes();
        }
        serve.getHeaderFields().forEach((name, values) -> {
            if (name != null && (name.toLowerCase().startsWith("x-amz") || name.equalsIgnoreCase("Content-Type"))) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void stack_namesTheDeploymentByItsOutputs_andTheCommandsUseThem() throws Exception {
        assertThat(retrier("start", "--stack", STACK, "--endpoint-url", frontUrl(), "--region", "us-east-1",
                "--payload", startRequest("stack-run")).exitCode()).isZero();
        served.runtime.awaitOutcome("stack-run", Duration.ofSeconds(30)).orElseThrow();

        OperateCommandsTest.Ran runs = retrier("runs", "--stack", STACK, "--endpoint-url", frontUrl(), "--region",
                "us-east-1", "--json");

        assertThat(runs.exitCode()).as(runs.err()).isZero();
        assertThat(describedStacks).contains(STACK);
        assertThat(JsonTrees.tree(runs.out()).findValuesAsText("runId")).contains("stack-run");
    }

    @Test
    void aStackWithoutAnOutput_isAUsageErrorNamingIt_unlessTheOptionGivesIt() {
        String cluster = outputs.remove(StackOutput.CLUSTER_ARN.key());
        try {
            OperateCommandsTest.Ran missing = retrier("runs", "--stack", STACK, "--endpoint-url", frontUrl(), "--region",
                    "us-east-1");
            assertThat(missing.exitCode()).isEqualTo(2);
            assertThat(missing.err().lines().findFirst().orElseThrow()).isEqualTo("retrier runs: stack " + STACK
                    + " has no output ClusterArn (outputs: StarterAliasArn, StartedBy, ScheduleGroupName,"
                    + " SchedulerRoleArn, StarterLogGroupName, ClassifierLogGroupName); give them as options instead");

            OperateCommandsTest.Ran given = retrier("runs", "--stack", STACK, "--endpoint-url", frontUrl(), "--region",
                    "us-east-1", "--cluster", cluster);
            assertThat(given.exitCode()).as(given.err()).isZero();
        } finally {
            outputs.put(StackOutput.CLUSTER_ARN.key(), cluster);
        }
    }
}
