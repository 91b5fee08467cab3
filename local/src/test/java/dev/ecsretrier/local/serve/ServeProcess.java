package dev.ecsretrier.local.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ./retrier serve} in a JVM of its own (this test classpath), on a free port, as a user starts it. */
final class ServeProcess implements AutoCloseable {

    static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final int port;

    private ServeProcess(Process process) throws IOException, InterruptedException {
        this.process = process;
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        int found = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (found < 0 && System.nanoTime() < deadline && (line = reader.readLine()) != null) {
            output.add(line);
            Matcher listening = LISTENING.matcher(line);
            if (listening.find()) {
                found = Integer.parseInt(listening.group(1));
            }
        }
        if (found < 0) {
            process.destroyForcibly();
            throw new IllegalStateException("serve did not start: " + output);
        }
        this.port = found;
        Thread drain = new Thread(() -> {
            try {
                for (String next; (next = reader.readLine()) != null; ) {
                    output.add(next);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "serve-output");
        drain.setDaemon(true);
        drain.start();
    }

    /** {@code java <jvmOptions> ... serve --port 0 <arguments>}; stderr joins stdout. */
    static ServeProcess start(List<String> jvmOptions, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.ecsretrier.local.cli.RetrierCommand");
        command.add("serve");
        command.add("--port");
        command.add("0");
        command.addAll(List.of(arguments));
        return new ServeProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The process's peak resident set (VmHWM), in KiB; -1 where /proc has none. */
    long peakRssKiB() throws IOException {
        Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    /** SIGTERM, as Ctrl-C: serve's shutdown hook stops it; the exit status. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
