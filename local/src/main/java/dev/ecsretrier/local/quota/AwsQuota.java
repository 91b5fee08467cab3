package dev.ecsretrier.local.quota;

import java.util.List;

/**
 * The default rate quotas of the calls the functions make, in us-east-1, as AWS documents them;
 * a call must find a token in each of its buckets. Checked against the documentation on 2026-12-01.
 */
public enum AwsQuota {

    /**
     * ECS "cluster resource modify actions" (RunTask, StartTask, StopTask, ...): bucket maximum capacity (burst)
     * 100, refill rate (sustained) 40 a second, for all Regions, per account and Region; the actions of a category
     * "share the same token bucket", so StopTask (cancel) spends RunTask's tokens
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html, the table "Request
     * Token Bucket Sizes and Refill Rates"); and on Fargate
     * also "the rate quota for calls to the Amazon ECS RunTask API is 20 calls per second (burst and
     * sustained)" and the tasks launched, burst 100, sustained 20 a second (one task per call here)
     * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html).
     */
    RUN_TASK("ecs:RunTask", "ThrottlingException", List.of(new Rate(100, 40), new Rate(20, 20), new Rate(100, 20))),

    /**
     * ECS "cluster resource read actions" (DescribeContainerInstances, DescribeTasks, ListAttributes,
     * ListContainerInstances, ListTasks): burst 100, sustained 20 a second, one bucket, so the operate commands'
     * ListTasks spends DescribeTasks' tokens
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html, same table).
     */
    DESCRIBE_TASKS("ecs:DescribeTasks", "ThrottlingException", List.of(new Rate(100, 20))),

    /**
     * EventBridge Scheduler "CreateSchedule request rate": 5,000 a second in the primary Regions (250 in
     * the others); past it Scheduler "rejects requests for this operation for the remainder of the interval",
     * so the burst is one second's worth (https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html).
     */
    CREATE_SCHEDULE("scheduler:CreateSchedule", "ThrottlingException", List.of(new Rate(5_000, 5_000))),

    /**
     * SNS "Publish API throttling per account" (soft): 30,000 messages a second in US East (N. Virginia), standard
     * and FIFO topics, counting Publish and PublishBatch together; 9,000 in US West (Oregon) and Europe (Ireland);
     * 1,500 (standard) in eight more Regions (US East (Ohio), US West (N. California), Mumbai, Seoul, Singapore,
     * Sydney, Tokyo, Frankfurt); 300 in all others (https://docs.aws.amazon.com/general/latest/gr/sns.html,
     * "Amazon SNS API throttling"). The page states no burst: the model allows one second's worth. Past it "Amazon
     * SNS returns a ThrottlingException error" ... "when calling the publish operation: Rate exceeded"
     * (https://repost.aws/knowledge-center/sns-throttling-exception-errors).
     */
    PUBLISH("sns:Publish", "ThrottlingException", List.of(new Rate(30_000, 30_000)));

    /** One bucket: its burst (capacity) and sustained rate (refill per second). */
    public record Rate(double burst, double perSecond) {
    }

    private final String api;
    private final String errorCode;
    private final List<Rate> rates;

    AwsQuota(String api, String errorCode, List<Rate> rates) {
        this.api = api;
        this.errorCode = errorCode;
        this.rates = rates;
    }

    /** The API call, as IAM names it. */
    public String api() {
        return api;
    }

    /** The error code the service answers a throttled call with. */
    public String errorCode() {
        return errorCode;
    }

    public List<Rate> rates() {
        return rates;
    }
}
