package dev.ecsretrier.infra;

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
 * must then be a literal. Everything that is a token (cluster, subnets, security groups, capacity providers) is the
 * deployment's, one for all jobs, and stays in the environment. A job's entry holds only the settings in which it
 * differs from the environment, so the environment's defaults are stated once.
 */
final class JobsFile {

    static final String PATH = "/opt/ecs-retrier/jobs.json";

    private JobsFile() {
    }

    /** Each job's entry: its settings that differ from {@code environment}. */
    static Map<String, Map<String, String>> entries(EcsRetrierProps props, Map<String, String> environment) {
        Map<String, Map<String, String>> jobs = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String name : props.jobs().keySet()) {
            EcsRetrierProps job = props.forJob(name);
            Map<String, String> settings = FunctionEnvironment.jobSettings(job);
            if (!settings.containsKey(Setting.MAX_ATTEMPTS.variable()) && environment.containsKey(Setting.MAX_ATTEMPTS.variable())) {
                // Only both budgets set: the job's limit is 1 + both, not the environment's.
                settings.put(Setting.MAX_ATTEMPTS.variable(), Integer.toString(Math.min(
                        Setting.MAX_ATTEMPTS.range().orElseThrow().maxWhole(),
                        1 + job.infrastructureRetries() + job.applicationRetries())));
            }
            Map<String, String> entry = new LinkedHashMap<>();
            settings.forEach((variable, value) -> {
                if (Token.isUnresolved(value)) {
                    problems.add("jobs." + name + ": " + variable + " is only known at deploy time (" + value + "); the jobs file is"
                            + " written at synthesis: use a task definition of this stack or one imported by a literal ARN");
                } else if (!value.equals(environment.get(variable))) {
                    entry.put(variable, value);
                }
            });
            jobs.put(name, entry);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return jobs;
    }

    /** The layer holding the file; checked again at synthesis, when containers added after the construct are known. */
    static ILayerVersion layer(Construct scope, EcsRetrierProps props, Map<String, String> environment) {
        Map<String, Map<String, String>> entries = entries(props, environment);
        scope.getNode().addValidation(new IValidation() {
            @Override
            public List<String> validate() {
                return entries.equals(entries(props, environment)) ? List.of()
                        : List.of("a job's task definition changed after the EcsRetrier was created (a container added?): the jobs"
                                + " file was written from what it was then; add containers first, or set the job's essentialContainers");
            }
        });
        Path staged;
        try {
            staged = Files.createTempDirectory("ecs-retrier-jobs");
            Path file = staged.resolve("ecs-retrier").resolve("jobs.json");
            Files.createDirectories(file.getParent());
            Files.writeString(file, Json.write(Map.of("jobs", entries)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the jobs file", e);
        }
        return LayerVersion.Builder.create(scope, "JobsLayer")
                .description("ecs-retrier jobs file (" + entries.size() + " jobs)")
                .code(Code.fromAsset(staged.toString()))
                .compatibleRuntimes(List.of(Runtime.JAVA_21))
                .build();
    }
}
