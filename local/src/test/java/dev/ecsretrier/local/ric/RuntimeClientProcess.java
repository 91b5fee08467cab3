package dev.ecsretrier.local.ric;

import dev.ecsretrier.local.ecs.SampleTaskJar;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * AWS's Lambda Runtime Interface Client running one handler in a JVM of its own, as Lambda's Java
 * runtime does: its class path is the runtime client and its dependencies only; the function's jar
 * is unpacked into the task root, which is the working directory, where the client's own class
 * loader finds the handler (as /var/task in Lambda).
 */
final class RuntimeClientProcess implements AutoCloseable {

    static final String MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    private final Process process;
    private final Path output;

    private RuntimeClientProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Unpacks a function's jar as Lambda unpacks a deployment package. */
    static Path unpack(Path jar, Path taskRoot) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                Path target = taskRoot.resolve(entry.getName()).normalize();
                if (!target.startsWith(taskRoot)) {
                    throw new IOException("entry outside the task root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        return taskRoot;
    }

    /**
     * The environment Lambda gives a Java 21 function, with this function's own variables over it.
     * See https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
     */
    static Map<String, String> lambdaEnvironment(String functionName, String handler, String runtimeApi, Path taskRoot,
                                                 Map<String, String> functionVariables) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("_HANDLER", handler);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + functionName);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef");
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("LAMBDA_RUNTIME_DIR", taskRoot.toString());
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        // The execution role's credentials; dummy ones here, only the local endpoint ever sees them.
        env.put("AWS_ACCESS_KEY_ID", "AKIDLOCALRUNTIME");
        env.put("AWS_SECRET_ACCESS_KEY", "local-secret");
        env.put("AWS_SESSION_TOKEN", "local-session-token");
        // None of the machine's AWS files.
        env.put("AWS_CONFIG_FILE", taskRoot.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", taskRoot.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.putAll(functionVariables);
        return env;
    }

    /**
     * Starts {@code java -cp <runtime client> AWSLambda <handler>} in {@code taskRoot}, with exactly
     * {@code environment}; its output (the function's log) goes to {@code output}.
     */
    static RuntimeClientProcess start(Path taskRoot, String runtimeClientClassPath, String handler,
                                      Map<String, String> environment, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of(SampleTaskJar.java(),
                // Lambda's Java runtime flags (tiered compilation stops at C1 for a quick start).
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", runtimeClientClassPath, MAIN, handler));
        ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new RuntimeClientProcess(builder.start(), output);
    }

    /** The function's log so far. */
    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit status, once the process ended within the wait; null while it runs. */
    Integer exitStatus(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
