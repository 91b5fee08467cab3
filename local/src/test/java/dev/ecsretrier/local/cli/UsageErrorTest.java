package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * The one rule for mistakes on the command line, over a table of bad command lines
 * ({@code cli/bad-command-lines.csv}): one line on stderr naming the option and the bad value,
 * then where the help is; exit 2; nothing on stdout; no stack trace, no usage text.
 */
class UsageErrorTest {

    static void assertOneLineAndExit2(CommandRun run, String says) {
        String command = run.err().startsWith("retrier ") ? run.err().substring(0, run.err().indexOf(':')) : "retrier";
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().lines().toList()).as(run.err()).hasSize(2);
        assertThat(run.err().lines().findFirst().orElseThrow()).contains(says);
        assertThat(run.err().lines().toList().get(1)).isEqualTo("see './" + command + " --help'");
        assertThat(run.err()).doesNotContain("\tat ", "Exception", "Usage:");
        assertThat(run.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/cli/bad-command-lines.csv", delimiter = '|')
    void aMistakeIsOneLineOnStderrThenWhereTheHelpIsAndExit2(String arguments, String says) {
        CommandRun run = CommandRun.of(arguments.strip().split("\\s+"));

        assertOneLineAndExit2(run, says.strip());
    }

    @Test
    void serveOnAPortInUseNamesThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            CommandRun run = CommandRun.of("serve", "--port", String.valueOf(port));

            assertOneLineAndExit2(run, "retrier serve: Invalid value for option '--port': '" + port + "' cannot be"
                    + " listened on at 127.0.0.1: port " + port + " is in use");
        }
    }

    @Test
    void aBugStillPrintsItsTraceWithARequestToReportItAndExits1() {
        UsageErrorHandler handler = new UsageErrorHandler();
        CommandRun run = CommandRun.with(commandLine -> handler.handleExecutionException(
                new IllegalStateException("boom"), commandLine.getSubcommands().get("run"), null));

        assertThat(run.exitCode()).isEqualTo(ExitStatus.UNEXPECTED_ERROR.code());
        assertThat(run.err()).startsWith("retrier run: unexpected error: java.lang.IllegalStateException: boom (a bug in"
                + " ecs-retrier: please report it").contains("\tat ");
    }

    @Test
    void suggestionsAreTheNamesWithinTwoEdits() {
        assertThat(UsageErrorHandler.didYouMean("dmeo", Arrays.asList("demo", "run", "serve", "classify")))
                .isEqualTo("; did you mean demo?");
        assertThat(UsageErrorHandler.didYouMean("zzz", Arrays.asList("demo", "run"))).isEmpty();
    }
}
