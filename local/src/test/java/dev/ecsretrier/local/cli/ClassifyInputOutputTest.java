package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import java.io.InputStream;
import java.nio.file.Files;

/** {@code classify -} reads standard input; {@code --json} and {@code --quiet} choose what stdout gets. */
class ClassifyInputOutputTest {

    @Test
    void aDashReadsTheEventFromStandardInput() throws Exception {
        InputStream before = ClassifyCommand.stdin;
        ClassifyCommand.stdin = Files.newInputStream(Fixtures.event("app-exit-2.json"));
        try {
            CommandRun run = CommandRun.of("classify", "-", "--retryable-exit-codes", "2");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(JsonTrees.tree(run.out()).path("decision").asText()).isEqualTo("RETRY");
        } finally {
            ClassifyCommand.stdin.close();
            ClassifyCommand.stdin = before;
        }
    }

    @Test
    void quietPrintsOnlyTheDecision() {
        CommandRun run = CommandRun.of("classify", Fixtures.event("out-of-memory.json").toString(), "--quiet");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("FAILED" + System.lineSeparator());
    }

    @Test
    void jsonIsOneDocument() throws Exception {
        CommandRun run = CommandRun.of("classify", Fixtures.event("succeeded.json").toString(), "--json");

        assertThat(run.out().strip().lines()).hasSize(1);
        assertThat(JsonTrees.tree(run.out()).path("decision").asText()).isEqualTo("SUCCEEDED");
    }
}
