package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.LocalRuntime;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * docs/operate.md's "Operate" block, as it stands: each {@code ./retrier} line (but {@code serve}, which
 * is this test's own endpoint) runs with its words as written, the endpoint's port aside, and does what
 * the text says of it.
 */
class OperateDocTest {

    static final String MARKER = "<!-- operate-local:";

    /** The ./retrier command lines of the block after the marker. */
    static List<List<String>> commands() throws IOException {
        Path doc = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("operate.md");
        String text = Files.readString(doc);
        int marker = text.indexOf(MARKER);
        assertThat(marker).as("the operate-local block in docs/operate.md").isNotNegative();
        int open = text.indexOf("```sh\n", marker);
        String block = text.substring(open + 6, text.indexOf("```", open + 6));
        List<List<String>> commands = new ArrayList<>();
        for (String line : block.lines().toList()) {
            if (line.startsWith("./retrier ") && !line.startsWith("./retrier serve")) {
                commands.add(words(line.substring("./retrier ".length())));
            }
        }
        return commands;
    }

    /** Shell words: blanks separate, single quotes keep their text whole. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    words.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words;
    }

    @Test
    void theOperateBlockRunsAsWritten_startFollowsToSucceeded_andCancelEndsTheOtherRunCancelled() throws Exception {
        System.setProperty("aws.accessKeyId", "x");
        System.setProperty("aws.secretAccessKey", "x");
        List<List<String>> commands = commands();
        assertThat(commands).extracting(c -> c.get(0)).containsExactly("start", "start", "cancel", "runs", "show",
                "redrive", "redrive");
        try (ServedRuntime served = new ServedRuntime(LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2").timeScale(0.01).seed(5).build())) {
            String port = "http://localhost:4566";
            List<OperateCommandsTest.Ran> ran = new ArrayList<>();
            for (List<String> command : commands) {
                String[] args = command.stream().map(w -> w.equals(port) ? served.endpoint.uri().toString() : w)
                        .toArray(String[]::new);
                if (command.get(0).equals("cancel")) {
                    awaitTask(served, "tour-2");
                }
                ran.add(OperateCommandsTest.retrier(args));
            }

            assertThat(ran).allSatisfy(r -> assertThat(r.exitCode()).as(r.err()).isZero());
            assertThat(ran.get(0).out()).contains("attempt 1", "task", "decision", "SUCCEEDED")
                    .contains("run tour-1 SUCCEEDED after 1 attempt");
            assertThat(ran.get(2).out()).contains("run tour-2 cancelled: 1 task(s) stopped");
            assertThat(ran.get(3).out()).containsPattern("tour-1 +default +ended +1 +SUCCEEDED");
            assertThat(ran.get(4).out()).contains("run tour-1: SUCCEEDED after 1 attempt(s)").contains("attempt 1  task arn:");
            assertThat(ran.get(5).out()).contains("StarterFailures: would replay 0", "ClassifierFailures: would replay 0");
            assertThat(ran.get(6).out()).contains("StarterFailures: replayed 0, failed 0, left 0",
                    "ScheduleDeliveryFailures: replayed 0, failed 0, left 0");
            assertThat(served.runtime.awaitOutcome("tour-2", Duration.ofSeconds(30)).orElseThrow().outcome())
                    .isEqualTo(Decision.CANCELLED);
        }
    }

    private static void awaitTask(ServedRuntime served, String runId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (served.runtime.timeline(runId).stream()
                .noneMatch(e -> e.kind() == dev.ecsretrier.local.emulator.TimelineEntry.Kind.TASK_LAUNCHED)) {
            assertThat(System.nanoTime()).as("a task for " + runId).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
