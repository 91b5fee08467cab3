package dev.ecsretrier.core;

import java.util.List;

/**
 * One text the default policy recognises in ECS's stop reasons, what it means, and the page that
 * documents it. The policy is this list plus the order in {@link StopClassifier}; adding a pattern is
 * adding a line here (and its row in docs/policy.md, which a test holds to this list).
 *
 * @param text   the marker as documented; matched case-insensitively ({@link StopText})
 * @param kind   what a reason carrying it means
 * @param source where the wording comes from
 */
record StopPattern(String text, Kind kind, String source) {

    /** What a reason carrying the pattern means. */
    public enum Kind {
        /** AWS stopped a task that was healthy (maintenance, retirement): retried whatever the stop code and exit codes. */
        MAINTENANCE,
        /** Begins a reason: one of ECS's start errors, retried unless the text carries a permanent cause. */
        START_ERROR,
        /** Network trouble or throttling: the request never got its answer, so the text's other words say nothing; retried. */
        TRANSIENT,
        /** A cause no retry fixes (a missing image, path, secret, file; a denied permission): FAILED. */
        PERMANENT,
        /** Permanent only when ECS cut the reason before its cause (see {@link StopText#cut()}). */
        PERMANENT_WHEN_CUT,
        /**
         * A synchronous {@code RunTask} refusal for lack of capacity: retried like any refusal that is not
         * permanent, and recognised as {@link Cause#NO_CAPACITY}.
         */
        NO_CAPACITY
    }

    public StopPattern {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a stop pattern needs a text");
        }
    }

    String normalized() {
        return StopText.normalize(text);
    }

    private static final String ERROR_CODES =
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html";
    private static final String CANNOT_PULL =
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html";
    private static final String FARGATE_PULL = "https://repost.aws/knowledge-center/ecs-fargate-pull-container-error";
    private static final String AWSLOGS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html";
    private static final String LOGGER_KILLED = "https://gist.github.com/bradleybeddoes/7b568d87d20c5e4ebfe31de9a8dc08c7";
    private static final String PULL_TIMEOUT = "https://github.com/ActionIQ/terraform-aws-retool-ecs-fargate/issues/20";
    private static final String SECRETS = "https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets";
    private static final String CANNOT_START =
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cannot-start-container.html";
    private static final String CANNOT_CREATE =
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CannotCreateContainerError.html";
    private static final String MAINTENANCE_DOC =
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-maintenance.html";
    private static final String EFS_MOUNT =
            "https://repost.aws/knowledge-center/eks-troubleshoot-efs-volume-mount-issues";
    private static final String AGENT = "https://github.com/aws/amazon-ecs-agent/blob/master/agent/api/errormessages/error_messages.go";
    private static final String AGENT_ERRORS = "https://github.com/aws/amazon-ecs-agent/blob/master/agent/dockerclient/dockerapi/errors.go";
    private static final String AGENT_SSM = "https://github.com/aws/amazon-ecs-agent/blob/master/agent/ssm/ssm.go";
    private static final String AGENT_ASM = "https://github.com/aws/amazon-ecs-agent/blob/master/agent/taskresource/asmsecret/asmsecret.go";
    private static final String ENV_FILES = "https://github.com/aws/aws-cdk/issues/12720";
    private static final String SDK_ERRORS = "https://aws.github.io/aws-sdk-go-v2/docs/handling-errors/";
    private static final String EXTRACT_LAYER = "https://github.com/containerd/containerd/pull/9649";
    private static final String PLATFORM = "https://github.com/aws/containers-roadmap/issues/1120";
    private static final String ECR_ERRORS = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html";
    private static final String SECRET_ERRORS =
            "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html";
    private static final String S3_ERRORS = "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html";
    private static final String AGENT_S3 = "https://github.com/aws/amazon-ecs-agent/blob/master/agent/s3/s3.go";
    private static final String AGENT_ASM_NOT_FOUND = "https://github.com/aws/amazon-ecs-agent/blob/master/agent/asm/asm.go";
    private static final String NETWORK_ADVICE = "https://github.com/Releem/releem-agent/issues/195";
    private static final String RETRIED_ONCE = "https://github.com/aws/copilot-cli/issues/4504";

    /** The start error of a task whose network interface was not provisioned in time ({@link Cause#ENI_TIMEOUT}). */
    public static final StopPattern ENI_TIMEOUT =
            new StopPattern("Timeout waiting for network interface provisioning", Kind.START_ERROR, ERROR_CODES);

    /** The start errors of an image that could not be pulled ({@link Cause#IMAGE_PULL}). */
    public static final List<StopPattern> IMAGE_PULL = List.of(
            new StopPattern("CannotPullContainerError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("CannotPullECRContainerError", Kind.START_ERROR, AGENT_ERRORS),
            new StopPattern("CannotPullContainerAuthError", Kind.START_ERROR, AGENT_ERRORS),
            new StopPattern("CannotPullImageManifestError", Kind.START_ERROR, AGENT_ERRORS));

    /**
     * What a synchronous {@code RunTask} refusal for lack of capacity says: Fargate's "Capacity is
     * unavailable at this time. Please try again later or in a different availability zone", among others.
     */
    public static final StopPattern NO_CAPACITY = new StopPattern("capacity", Kind.NO_CAPACITY,
            "https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity");

    /**
     * The default policy's patterns, as docs/policy.md lists them; where several match one text, the
     * longest names the cause.
     */
    public static final List<StopPattern> DEFAULTS = List.of(
            // AWS stopped the task: retried whatever else the stop says.
            new StopPattern("ECS is performing maintenance on the underlying infrastructure hosting the task",
                    Kind.MAINTENANCE, MAINTENANCE_DOC),
            new StopPattern("Task is being retired", Kind.MAINTENANCE, MAINTENANCE_DOC),
            new StopPattern("task retirement", Kind.MAINTENANCE, MAINTENANCE_DOC),

            // The start errors ECS names as a reason's first word.
            IMAGE_PULL.get(0), IMAGE_PULL.get(1), IMAGE_PULL.get(2), IMAGE_PULL.get(3),
            new StopPattern("ResourceInitializationError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("CannotStartContainerError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("CannotCreateContainerError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("CannotCreateVolumeError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("CannotInspectContainerError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("CannotDescribeContainerError", Kind.START_ERROR, AGENT_ERRORS),
            new StopPattern("CannotStopContainerError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("ContainerNetworkingError", Kind.START_ERROR, AGENT_ERRORS),
            new StopPattern("ContainerVanishedError", Kind.START_ERROR, AGENT_ERRORS),
            new StopPattern("ContainerRuntimeError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("ContainerRuntimeTimeoutError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("DockerTimeoutError", Kind.START_ERROR, ERROR_CODES),
            new StopPattern("InternalError", Kind.START_ERROR, ERROR_CODES),
            ENI_TIMEOUT,

            // Network trouble and throttling: the call never got its answer.
            new StopPattern("Check your network configuration", Kind.TRANSIENT, AGENT),
            new StopPattern("check your task network configuration", Kind.TRANSIENT, NETWORK_ADVICE),
            new StopPattern("i/o timeout", Kind.TRANSIENT, PULL_TIMEOUT),
            new StopPattern("context deadline exceeded", Kind.TRANSIENT, SECRETS),
            new StopPattern("context canceled", Kind.TRANSIENT, CANNOT_PULL),
            new StopPattern("request canceled", Kind.TRANSIENT, CANNOT_PULL),
            new StopPattern("Client.Timeout exceeded", Kind.TRANSIENT, CANNOT_PULL),
            new StopPattern("connection timed out", Kind.TRANSIENT, EFS_MOUNT),
            new StopPattern("connection refused", Kind.TRANSIENT, FARGATE_PULL),
            new StopPattern("connection reset", Kind.TRANSIENT, FARGATE_PULL),
            new StopPattern("no such host", Kind.TRANSIENT, FARGATE_PULL),
            new StopPattern("TLS handshake timeout", Kind.TRANSIENT, FARGATE_PULL),
            new StopPattern("network is unreachable", Kind.TRANSIENT, FARGATE_PULL),
            new StopPattern("unexpected EOF", Kind.TRANSIENT, FARGATE_PULL),
            new StopPattern("signal: killed", Kind.TRANSIENT, LOGGER_KILLED),
            new StopPattern("toomanyrequests", Kind.TRANSIENT, CANNOT_PULL),
            new StopPattern("pull rate limit", Kind.TRANSIENT, CANNOT_PULL),
            new StopPattern("Too Many Requests", Kind.TRANSIENT, CANNOT_PULL),
            new StopPattern("ThrottlingException", Kind.TRANSIENT, SDK_ERRORS),
            new StopPattern("Rate exceeded", Kind.TRANSIENT, SDK_ERRORS),
            new StopPattern("503 Service Unavailable", Kind.TRANSIENT, SDK_ERRORS),
            new StopPattern("500 Internal Server Error", Kind.TRANSIENT, SDK_ERRORS),
            new StopPattern("failed to extract layer", Kind.TRANSIENT, EXTRACT_LAYER),
            // The runtime lost track of a container it made: its state, not the task definition's.
            new StopPattern("container not found", Kind.TRANSIENT, AGENT_ERRORS),
            new StopPattern("no such container", Kind.TRANSIENT, AGENT_ERRORS),

            // Causes no retry fixes.
            new StopPattern("not found", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("manifest unknown", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("pull access denied", Kind.PERMANENT, AGENT),
            new StopPattern("check whether the image exists", Kind.PERMANENT, AGENT),
            new StopPattern("check that the role has the permissions", Kind.PERMANENT, AGENT),
            new StopPattern("Check whether the secret exists", Kind.PERMANENT, AGENT_ASM_NOT_FOUND),
            new StopPattern("does not contain descriptor matching platform", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("no matching manifest", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("failed to find a descriptor for platform", Kind.PERMANENT, PLATFORM),
            new StopPattern("invalid reference format", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("no basic auth credentials", Kind.PERMANENT, FARGATE_PULL),
            new StopPattern("access denied", Kind.PERMANENT, SECRETS),
            new StopPattern("AccessDeniedException", Kind.PERMANENT, SECRETS),
            new StopPattern("not authorized", Kind.PERMANENT, SECRETS),
            new StopPattern("unauthorized", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("forbidden", Kind.PERMANENT, CANNOT_PULL),
            new StopPattern("StatusCode: 403", Kind.PERMANENT, SDK_ERRORS),
            new StopPattern("StatusCode: 404", Kind.PERMANENT, SDK_ERRORS),
            new StopPattern("NoSuchKey", Kind.PERMANENT, ENV_FILES),
            new StopPattern("NoSuchBucket", Kind.PERMANENT, ENV_FILES),
            new StopPattern("ResourceNotFoundException", Kind.PERMANENT, SECRETS),
            new StopPattern("NotFoundException", Kind.PERMANENT, ECR_ERRORS),
            new StopPattern("InvalidRequestException", Kind.PERMANENT, SECRET_ERRORS),
            new StopPattern("InvalidParameterException", Kind.PERMANENT, SECRET_ERRORS),
            new StopPattern("InvalidBucketName", Kind.PERMANENT, S3_ERRORS),
            new StopPattern("PermanentRedirect", Kind.PERMANENT, S3_ERRORS),
            new StopPattern("AuthorizationHeaderMalformed", Kind.PERMANENT, S3_ERRORS),
            new StopPattern("invalid s3 arn", Kind.PERMANENT, AGENT_S3),
            new StopPattern("invalid parameters", Kind.PERMANENT, AGENT_SSM),
            new StopPattern("ParameterNotFound", Kind.PERMANENT, AGENT_SSM),
            new StopPattern("ValidationException", Kind.PERMANENT, AGENT_SSM),
            new StopPattern("invalid ARN", Kind.PERMANENT, AGENT_ASM),
            new StopPattern("did not contain json key", Kind.PERMANENT, AGENT_ASM),
            new StopPattern("DecryptionFailure", Kind.PERMANENT, SECRETS),
            new StopPattern("does not exist", Kind.PERMANENT, CANNOT_START),
            new StopPattern("no such file or directory", Kind.PERMANENT, CANNOT_START),
            new StopPattern("executable file not found", Kind.PERMANENT, CANNOT_START),
            new StopPattern("permission denied", Kind.PERMANENT, CANNOT_START),
            new StopPattern("exec format error", Kind.PERMANENT, CANNOT_START),
            new StopPattern("not a directory", Kind.PERMANENT, CANNOT_CREATE),
            new StopPattern("invalid mount config", Kind.PERMANENT, CANNOT_CREATE),
            new StopPattern("check that your file system ID is correct", Kind.PERMANENT, EFS_MOUNT),

            // The agent's SDK gives up after one try only on errors it does not retry (denied, missing).
            new StopPattern("has been retried 1 time(s)", Kind.PERMANENT_WHEN_CUT, RETRIED_ONCE),
            new StopPattern("has been retried 1 times", Kind.PERMANENT_WHEN_CUT, AWSLOGS));
}
