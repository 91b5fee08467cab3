package dev.ecsretrier.infra;

import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.ILayerVersion;
import software.amazon.awscdk.services.lambda.LayerVersion;
import software.amazon.awscdk.services.lambda.Runtime;
import software.constructs.Construct;
import software.constructs.IValidation;

/**
 * The jobs of a many-jobs {@link EcsRetrier} as the functions read them: a JSON file ({@code dev.ecsretrier.config.Deployment})
 * in a Lambda layer this construct builds. Lambda extracts a layer's content into {@code /opt}
 * (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html), so {@code ecs-retrier/jobs.json} in the layer is
 * {@link #PATH} in the function; {@code RETRIER_CONFIG_FILE} names it.
 *
 * <p>The file is written at synthesis, into an asset, so it cannot hold CloudFormation tokens: an in-stack task
 * definition is named by its family (which CDK knows at synthesis), not by its ARN; an imported one by its ARN, which
 * must then be a literal. A job's own subnets, security groups or capacity providers, often tokens too, go in the
 * functions' environment ({@link #deployTimeVariable}), and its entry names the variable. A job's entry holds only the
 * settings in which it differs from the environment, so the environment's defaults are stated once.
 */
final class JobsFile {

    static final String PATH = "/opt/ecs-retrier/jobs.json";

    private JobsFile() {
    }

    /**
     * The launch settings a job may take from the stack at deploy time (an in-stack subnet's, security group's or capacity
     * provider's name is a token): the file names the environment variable {@link #deployTimeVariable} that holds it.
     */
    static final Set<String> DEPLOY_TIME = Set.of(Setting.SUBNETS.variable(), Setting.SECURITY_GROUPS.variable(),
            Setting.CAPACITY_PROVIDER_STRATEGY.variable(), Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable());

    /** The jobs file and the variables it names in the functions' environment. */
    record Entries(Map<String, Map<String, Object>> jobs, Map<String, String> deployTimeValues) {
    }

    /**
     * The environment variable of the {@code index}th job's (from 1) deploy-time value of {@code variable}: Lambda's keys
     * are letters, digits and '_' (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), which a
     * job's name is not, so the job is named by its place.
     */
    static String deployTimeVariable(int index, String variable) {
        return "RETRIER_JOB" + index + "_" + variable.substring("RETRIER_".length());
    }

    /** Each job's entry: its settings that differ from {@code environment}. */
    static Entries entries(EcsRetrierProps props, Map<String, String> environment) {
        Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
        Map<String, String> deployTime = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int index = 0;
        for (String name : props.jobs().keySet()) {
            index++;
            EcsRetrierProps job = props.forJob(name);
            Map<String, String> settings = FunctionEnvironment.jobSettings(job);
            if (!settings.containsKey(Setting.MAX_ATTEMPTS.variable()) && environment.containsKey(Setting.MAX_ATTEMPTS.variable())) {
                // Only both budgets set: the job's limit is 1 + both, not the environment's.
                settings.put(Setting.MAX_ATTEMPTS.variable(), Integer.toString(Math.min(
                        Setting.MAX_ATTEMPTS.range().orElseThrow().maxWhole(),
                        1 + job.infrastructureRetries() + job.applicationRetries())));
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            int place = index;
            settings.forEach((variable, value) -> {
                String inEnvironment = environment.getOrDefault(variable, "");
                if (value.equals(inEnvironment)) {
                    return;
                }
                if (Token.isUnresolved(value) && DEPLOY_TIME.contains(variable)) {
                    String holder = deployTimeVariable(place, variable);
                    deployTime.put(holder, value);
                    entry.put(variable, Map.of(Deployment.ENVIRONMENT_REFERENCE, holder));
                } else if (Token.isUnresolved(value)) {
                    problems.add("jobs." + name + ": " + variable + " is only known at deploy time (" + value + "); the jobs file is"
                            + " written at synthesis: use a task definition of this stack or one imported by a literal ARN");
                } else {
                    entry.put(variable, value);
                }
            });
            jobs.put(name, entry);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new Entries(jobs, deployTime);
    }

    /**
     * The layer holding the file, whose deploy-time values it adds to {@code environment}; checked again at synthesis,
     * when containers added after the construct are known.
     */
    static ILayerVersion layer(Construct scope, EcsRetrierProps props, Map<String, String> environment) {
        Map<String, String> shared = new LinkedHashMap<>(environment);
        Entries entries = entries(props, shared);
        environment.putAll(entries.deployTimeValues());
        scope.getNode().addValidation(new IValidation() {
            @Override
            public List<String> validate() {
                return entries.equals(entries(props, shared)) ? List.of()
                        : List.of("a job's task definition changed after the EcsRetrier was created (a container added?): the jobs"
                                + " file was written from what it was then; add containers first, or set the job's essentialContainers");
            }
        });
        Path staged;
        try {
            staged = Files.createTempDirectory("ecs-retrier-jobs");
            Path file = staged.resolve("ecs-retrier").resolve("jobs.json");
            Files.createDirectories(file.getParent());
            Files.writeString(file, Json.write(Map.of("jobs", entries.jobs())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the jobs file", e);
        }
        return LayerVersion.Builder.create(scope, "JobsLayer")
                .description("ecs-retrier jobs file (" + entries.jobs().size() + " jobs)")
                .code(Code.fromAsset(staged.toString()))
                .compatibleRuntimes(List.of(Runtime.JAVA_21))
                .build();
    }
}
