package dev.ecsretrier.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AdaptationPolicy;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and checks a start request for one job. The starter must not become a way to run
 * arbitrary work: only the job's configured containers may be overridden, each once, only their command and
 * environment, no {@code RETRIER_*} names, within ECS's own size limits. Unknown fields (a task role, a task
 * definition, cpu) are refused, not ignored.
 */
public final class StartRequestReader {

    /** Bound on the whole request: history for ten attempts and full overrides fit well within it. */
    public static final int MAX_REQUEST_BYTES = 32 * 1024;
    /** ECS refuses container overrides above 8192 characters of JSON. */
    public static final int MAX_OVERRIDES_CHARS = 8192;
    /** Every attempt adds at most two changes (capacity or size, and subnets); ten attempts fit. */
    public static final int MAX_LAUNCH_CHANGES = 20;

    private final List<String> containerNames;
    private final int maxAttempts;
    private final AdaptationPolicy adaptation;
    private final String job;

    public StartRequestReader(List<String> containerNames, int maxAttempts) {
        this(containerNames, maxAttempts, AdaptationPolicy.NONE);
    }

    public StartRequestReader(List<String> containerNames, int maxAttempts, AdaptationPolicy adaptation) {
        this(containerNames, maxAttempts, adaptation, null);
    }

    /**
     * @param containerNames the containers a request may override, each at most once
     * @param adaptation     what a request's {@code launch} may ask for: only what the retrier itself
     *                       would choose (the fallback strategy, a Fargate size within the memory cap,
     *                       the configured subnets in another order)
     * @param job            the job whose requests these are, named in a refusal; null: the only one
     */
    public StartRequestReader(List<String> containerNames, int maxAttempts, AdaptationPolicy adaptation, String job) {
        if (containerNames.isEmpty()) {
            throw new IllegalArgumentException("a job has at least one container a request may override");
        }
        this.containerNames = List.copyOf(containerNames);
        this.maxAttempts = maxAttempts;
        this.adaptation = adaptation;
        this.job = job;
    }

    public StartRequest read(byte[] json) {
        return check(parse(json));
    }

    /**
     * A request as JSON, bound but not yet checked against a job (the starter learns the job from it).
     *
     * @throws InvalidStartRequestException naming the field that is not JSON, unknown, or of the wrong type
     */
    public static StartRequest parse(byte[] json) {
        if (json.length > MAX_REQUEST_BYTES) {
            throw new InvalidStartRequestException("request", "is " + json.length + " bytes, over the limit of "
                    + MAX_REQUEST_BYTES);
        }
        Object plain;
        try {
            plain = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new InvalidStartRequestException("request", "is not JSON: " + e.getOriginalMessage(), e);
        }
        StartRequest request;
        try {
            request = JsonRecords.fromPlain(plain, StartRequest.class);
        } catch (JsonBindingException e) {
            throw e.unknownField()
                    ? new InvalidStartRequestException(e.path(), "is not a field a start request may set"
                    + " (allowed: job, runId, attempt, containerOverrides[name, command, environment], history, launch)", e)
                    : new InvalidStartRequestException(e.path().isEmpty() ? "request" : e.path(), e.problem(), e);
        }
        if (request == null) {
            throw new InvalidStartRequestException("request", "must be a JSON object, got null");
        }
        return request;
    }

    /** Checks a request built in code (the local runtime's API) the same way as one read from JSON. */
    public StartRequest check(StartRequest request) {
        if (request.runId() != null && !AttemptMetadata.RUN_ID.matcher(request.runId()).matches()) {
            throw new InvalidStartRequestException("runId", "must be 1-48 characters of letters, digits, '.', '_'"
                    + " and '-', starting with a letter or digit; got '" + clip(request.runId()) + "'");
        }
        int attempt = request.attemptNumber();
        if (attempt < 1 || attempt > maxAttempts) {
            throw new InvalidStartRequestException("attempt", "must be between 1 and maxAttempts " + maxAttempts
                    + ", got " + attempt);
        }
        if (request.history().size() >= attempt) {
            throw new InvalidStartRequestException("history", "has " + request.history().size()
                    + " entries, more than the " + (attempt - 1) + " earlier attempts of attempt " + attempt);
        }
        List<ContainerOverride> overrides = request.containerOverrides();
        Set<String> overridden = new HashSet<>();
        for (int i = 0; i < overrides.size(); i++) {
            String path = "containerOverrides[" + i + "]";
            checkOverride(overrides.get(i), path);
            if (!overridden.add(overrides.get(i).name())) {
                // RunTask takes one override per container; two for one would leave which one wins to ECS.
                throw new InvalidStartRequestException(path + ".name", "'" + clip(overrides.get(i).name())
                        + "' is overridden twice: one entry per container");
            }
        }
        int overrideChars = Json.write(overrides).length();
        if (overrideChars > MAX_OVERRIDES_CHARS) {
            throw new InvalidStartRequestException("containerOverrides", "are " + overrideChars
                    + " characters of JSON, over ECS's limit of " + MAX_OVERRIDES_CHARS);
        }
        if (request.launch() != null) {
            checkLaunch(request.launch());
        }
        return request;
    }

    private void checkLaunch(LaunchAdjustment launch) {
        if (launch.capacityProviderStrategy() != null
                && (adaptation.fallbackStrategy().isEmpty()
                || !adaptation.fallbackStrategy().equals(launch.capacityProviderStrategy()))) {
            throw new InvalidStartRequestException("launch.capacityProviderStrategy",
                    "may only be the configured fallback strategy " + adaptation.fallbackStrategy());
        }
        TaskSize size = launch.size();
        if (size != null) {
            if (!adaptation.memoryEscalation()) {
                throw new InvalidStartRequestException("launch.memory", "may not be set: memory escalation is off");
            }
            if (!size.fargateAccepts()) {
                throw new InvalidStartRequestException("launch.memory", "cpu '" + size.cpu() + "' and memory '"
                        + size.memoryMiB() + "' are not a task size Fargate accepts");
            }
            if (size.memoryMiB() > adaptation.memoryCapMiB()) {
                throw new InvalidStartRequestException("launch.memory", size.memoryMiB()
                        + " MiB is over the memory cap of " + adaptation.memoryCapMiB() + " MiB");
            }
        }
        if (launch.subnetOffset() != null && (!adaptation.rotateSubnets() || launch.subnetOffset() < 0
                || launch.subnetOffset() >= adaptation.subnets().size())) {
            throw new InvalidStartRequestException("launch.subnetOffset", adaptation.rotateSubnets()
                    ? "must be between 0 and " + (adaptation.subnets().size() - 1) + " (a rotation of the configured subnets)"
                    : "may not be set: subnet rotation is off");
        }
        if (launch.changes().size() > MAX_LAUNCH_CHANGES) {
            throw new InvalidStartRequestException("launch.changes", "has " + launch.changes().size()
                    + " entries, more than " + MAX_LAUNCH_CHANGES);
        }
    }

    private void checkOverride(ContainerOverride override, String path) {
        if (override == null) {
            throw new InvalidStartRequestException(path, "must be an object, got null");
        }
        if (override.name() == null || !containerNames.contains(override.name())) {
            throw new InvalidStartRequestException(path + ".name", override.name() == null ? "is missing; it must be "
                    + (containerNames.size() == 1 ? "the configured container '" + containerNames.get(0) + "'"
                    : "one of the configured containers (" + String.join(", ", containerNames) + ")")
                    : "'" + clip(override.name()) + "' is not " + (containerNames.size() == 1
                    ? "the configured container '" + containerNames.get(0) + "'" + ofJob() + ": a request may override only it"
                    : "one of the containers" + ofJob() + " that a request may override (" + String.join(", ", containerNames)
                    + ")"));
        }
        if (override.command() != null) {
            for (int i = 0; i < override.command().size(); i++) {
                if (override.command().get(i) == null) {
                    throw new InvalidStartRequestException(path + ".command[" + i + "]", "must be a string, got null");
                }
            }
        }
        Set<String> seen = new HashSet<>();
        List<EnvironmentVariable> env = override.environmentOrEmpty();
        for (int i = 0; i < env.size(); i++) {
            String field = path + ".environment[" + i + "]";
            EnvironmentVariable variable = env.get(i);
            if (variable == null || variable.name() == null || variable.name().isBlank()) {
                throw new InvalidStartRequestException(field + ".name", "is missing");
            }
            if (variable.name().toUpperCase(Locale.ROOT).startsWith(AttemptMetadata.RESERVED_ENV_PREFIX)) {
                throw new InvalidStartRequestException(field + ".name", "'" + clip(variable.name())
                        + "' is reserved: ecs-retrier sets the " + AttemptMetadata.RESERVED_ENV_PREFIX + "* variables");
            }
            if (variable.value() == null) {
                throw new InvalidStartRequestException(field + ".value", "is missing");
            }
            if (!seen.add(variable.name())) {
                throw new InvalidStartRequestException(field + ".name", "'" + clip(variable.name()) + "' is set twice");
            }
        }
    }

    private String ofJob() {
        return job == null ? " of this job" : " of job '" + job + "'";
    }

    /** Never echo a whole oversized value back. */
    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
