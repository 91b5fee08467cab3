package dev.ecsretrier.handler;

import dev.ecsretrier.core.AttemptMetadata;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An HTTP client that never opens a connection: it answers each request of a handler's dry run at
 * initialization as the service would on the happy path, so that the SDK's whole call path (endpoint
 * rules, marshalling, signing, retries, unmarshalling, the error path of a missing schedule) and the
 * handler's own run once at full CPU, before the first invocation runs at the memory's share
 * (docs/performance.md). The answers, in each API's documented shape: {@code RunTask} a started task and
 * {@code DescribeTasks} a stopped one with its run's tags
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html); {@code GetSchedule}
 * 404 {@code ResourceNotFoundException}, no cancel marker
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html); {@code CreateSchedule}
 * the schedule's ARN, {@code DeleteSchedule} nothing
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html,
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_DeleteSchedule.html).
 */
final class DryRunAnswers implements SdkHttpClient {

    private static final String ECS_JSON = "application/x-amz-json-1.1";
    private static final String REST_JSON = "application/json";

    private final String task;
    private final List<String> answered = new ArrayList<>();

    /**
     * @param taskArn the task RunTask starts and DescribeTasks describes
     * @param run     the attempt the described task's tags name, as the starter tags its tasks
     */
    DryRunAnswers(String clusterArn, String taskArn, AttemptMetadata run) {
        StringJoiner tags = new StringJoiner(",");
        run.tags().forEach((key, value) -> tags.add("{\"key\":" + quoted(key) + ",\"value\":" + quoted(value) + "}"));
        this.task = "{\"tasks\":[{\"taskArn\":" + quoted(taskArn) + ",\"clusterArn\":" + quoted(clusterArn)
                + ",\"lastStatus\":\"STOPPED\",\"tags\":[" + tags + "]}],\"failures\":[]}";
    }

    /** The operations answered so far, in order: {@code RunTask}, {@code GetSchedule}, ... */
    synchronized List<String> answered() {
        return List.copyOf(answered);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return answer(request);
            }

            @Override
            public void abort() {
            }
        };
    }

    private HttpExecuteResponse answer(HttpExecuteRequest request) {
        // ECS speaks JSON 1.1 (the operation in X-Amz-Target), Scheduler REST-JSON (method and /schedules/NAME).
        String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
        SdkHttpMethod method = request.httpRequest().method();
        if (target.endsWith(".RunTask")) {
            return answered("RunTask", 200, ECS_JSON, task, null);
        }
        if (target.endsWith(".DescribeTasks")) {
            return answered("DescribeTasks", 200, ECS_JSON, task, null);
        }
        if (!target.isEmpty() || !request.httpRequest().encodedPath().startsWith("/schedules/")) {
            throw new IllegalStateException("a dry run has no answer for " + method + " "
                    + request.httpRequest().encodedPath() + " " + target);
        }
        return switch (method) {
            case GET -> answered("GetSchedule", 404, REST_JSON, "{\"Message\":\"Schedule not found\"}",
                    "ResourceNotFoundException");
            case POST -> answered("CreateSchedule", 200, REST_JSON,
                    "{\"ScheduleArn\":\"arn:aws:scheduler:us-east-1:111122223333:schedule/dry-run/dry-run\"}", null);
            case DELETE -> answered("DeleteSchedule", 200, REST_JSON, "{}", null);
            default -> throw new IllegalStateException("a dry run has no answer for " + method + " "
                    + request.httpRequest().encodedPath());
        };
    }

    private synchronized HttpExecuteResponse answered(String operation, int status, String contentType, String body,
                                                      String errorType) {
        answered.add(operation);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(status)
                .putHeader("Content-Type", contentType)
                .putHeader("Content-Length", Integer.toString(bytes.length))
                .putHeader("x-amzn-RequestId", "dry-run");
        if (errorType != null) {
            response.putHeader("x-amzn-ErrorType", errorType);
        }
        return HttpExecuteResponse.builder().response(response.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes))).build();
    }

    /** The values here are ARNs and tag values (which {@link AttemptMetadata} writes). */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
    }
}
