package dev.ecsretrier.shrunkdriver;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.crac.Resource;

/**
 * Runs in its own JVM with only a Lambda jar and this class on the class path (ShrunkLambdaJarIT
 * compiles it against the shrunk jar alone, and starts it). Commands:
 *
 * <ul>
 *   <li>{@code invoke HANDLER_CLASS IN OUT [IN OUT]...}: loads the handler by name and builds it with
 *       its public no-argument constructor, as Lambda's Java runtime does, then hands it each IN
 *       file's bytes in turn (one instance, as in one warm container) and writes each answer to OUT.
 *       A handler that throws ends the JVM with status 1 and the stack trace on stderr.</li>
 *   <li>{@code prime}: runs the SnapStart priming hook as Lambda does before its snapshot
 *       ({@code beforeCheckpoint}, then {@code afterRestore}), with the configuration from the
 *       environment. This JVM has no CRaC, so the hook is built here rather than registered.</li>
 *   <li>{@code link JAR REPORT}: loads, links (verifies) and initializes every class of JAR, and
 *       writes one line per class to REPORT: {@code OK name} or {@code FAIL name ThrowableClass: message}.</li>
 * </ul>
 */
public final class ShrunkJarDriver {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "invoke" -> invoke(args);
            case "prime" -> prime();
            case "link" -> link(Path.of(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        // Whatever a class initializer may have started, this JVM is done.
        System.exit(0);
    }

    private static void invoke(String[] args) throws Exception {
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[1])
                .getDeclaredConstructor().newInstance();
        for (int i = 2; i + 1 < args.length; i += 2) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = Files.newInputStream(Path.of(args[i]))) {
                handler.handleRequest(in, out, context("request-" + i / 2));
            }
            Files.write(Path.of(args[i + 1]), out.toByteArray());
        }
    }

    /** Priming as the handlers register it: over the handlers' own AWS wiring, all clients built. */
    private static void prime() throws Exception {
        Object config = Class.forName("dev.ecsretrier.config.RetrierConfig")
                .getMethod("fromEnvironment", java.util.Map.class).invoke(null, System.getenv());
        Class<?> wiring = Class.forName("dev.ecsretrier.handler.AwsWiring");
        var create = wiring.getDeclaredMethod("create", config.getClass());
        create.setAccessible(true);
        Object aws = create.invoke(null, config);
        var buildAllClients = wiring.getDeclaredMethod("buildAllClients");
        buildAllClients.setAccessible(true);
        Runnable buildClients = () -> {
            try {
                buildAllClients.invoke(aws);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
        var constructor = Class.forName("dev.ecsretrier.handler.SnapStartPriming")
                .getDeclaredConstructor(config.getClass(), Runnable.class);
        constructor.setAccessible(true);
        Resource priming = (Resource) constructor.newInstance(config, buildClients);
        priming.beforeCheckpoint(null);
        priming.afterRestore(null);
    }

    /** What Lambda passes: the fields the handlers may read. */
    private static Context context(String requestId) {
        LambdaLogger logger = (LambdaLogger) Proxy.newProxyInstance(ShrunkJarDriver.class.getClassLoader(),
                new Class<?>[] {LambdaLogger.class}, (proxy, method, methodArgs) -> {
                    if (method.getName().equals("log") && methodArgs != null && methodArgs.length > 0) {
                        System.err.println(methodArgs[0] instanceof byte[] bytes ? new String(bytes) : methodArgs[0]);
                    }
                    return null;
                });
        return (Context) Proxy.newProxyInstance(ShrunkJarDriver.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, methodArgs) -> switch (method.getName()) {
                    case "getAwsRequestId" -> requestId;
                    case "getFunctionName" -> "ecs-retrier-starter";
                    case "getFunctionVersion" -> "1";
                    case "getInvokedFunctionArn" -> "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live";
                    case "getRemainingTimeInMillis", "getMemoryLimitInMB" -> 60_000;
                    case "getLogger" -> logger;
                    case "toString" -> "Context(" + requestId + ")";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == methodArgs[0];
                    default -> null;
                });
    }

    private static void link(Path jar, Path report) throws Exception {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
                    .forEach(n -> names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        List<String> lines = new ArrayList<>();
        ClassLoader loader = ShrunkJarDriver.class.getClassLoader();
        for (String name : names) {
            try {
                Class.forName(name, true, loader);
                lines.add("OK " + name);
            } catch (Throwable t) {
                lines.add("FAIL " + name + " " + t.getClass().getName() + ": " + String.valueOf(t.getMessage())
                        .replace('\n', ' '));
            }
        }
        Files.write(report, lines);
    }
}
