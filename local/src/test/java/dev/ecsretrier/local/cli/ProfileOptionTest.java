package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --profile NAME}: the operate commands sign with that profile's credentials and, without
 * {@code --region}, call its region. The SDK reads the profiles from the shared config and credentials
 * files, whose places the {@code aws.configFile} and {@code aws.sharedCredentialsFile} system properties
 * (or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE) set; a config file names a profile
 * {@code [profile NAME]}, a credentials file {@code [NAME]}
 * (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/credentials-profiles.html,
 * https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/migration-profile-file.html). What the
 * profile chose is read off the SigV4 Authorization header the endpoint receives:
 * {@code Credential=KEY/DATE/REGION/SERVICE/aws4_request}
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 */
class ProfileOptionTest {

    @TempDir
    Path dir;
    HttpServer endpoint;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void profilesAndAnEndpointThatRecordsWhoSigned() throws Exception {
        Path config = Files.writeString(dir.resolve("config"), """
                [default]
                region = us-west-2
                [profile ops]
                region = eu-west-1
                """);
        Path credentials = Files.writeString(dir.resolve("credentials"), """
                [default]
                aws_access_key_id = AKIADEFAULTEXAMPLE
                aws_secret_access_key = default-secret
                [ops]
                aws_access_key_id = AKIAOPSEXAMPLE
                aws_secret_access_key = ops-secret
                """);
        System.setProperty("aws.configFile", config.toString());
        System.setProperty("aws.sharedCredentialsFile", credentials.toString());
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] denied = "{\"__type\":\"AccessDeniedException\",\"message\":\"recorded, not served\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(400, denied.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(denied);
            }
        });
        endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
        System.clearProperty("aws.configFile");
        System.clearProperty("aws.sharedCredentialsFile");
    }

    String url() {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort();
    }

    @Test
    void profile_signsWithItsCredentials_inItsRegion() {
        CommandRun run = CommandRun.of("runs", "--endpoint-url", url(), "--profile", "ops");

        assertThat(authorizations).isNotEmpty()
                .allSatisfy(header -> assertThat(header).contains("Credential=AKIAOPSEXAMPLE/")
                        .containsPattern("/\\d{8}/eu-west-1/"));
        assertThat(run.exitCode()).isEqualTo(ExitStatus.UNEXPECTED_ERROR.code());
        assertThat(run.err().lines()).singleElement().asString().startsWith("retrier runs: ")
                .contains("recorded, not served");
    }

    @Test
    void regionWinsOverTheProfilesRegion_theProfileStillSigns() {
        CommandRun.of("runs", "--endpoint-url", url(), "--profile", "ops", "--region", "ap-southeast-2");

        assertThat(authorizations).isNotEmpty()
                .allSatisfy(header -> assertThat(header).contains("Credential=AKIAOPSEXAMPLE/")
                        .containsPattern("/\\d{8}/ap-southeast-2/"));
    }

    @Test
    void anUnknownProfile_isOneLineOnStderrNamingTheProfiles_andExit2() {
        CommandRun run = CommandRun.of("runs", "--endpoint-url", url(), "--profile", "opps");

        UsageErrorTest.assertOneLineAndExit2(run, "retrier runs: Invalid value for option '--profile': 'opps' is not a"
                + " profile of the AWS config or credentials file (profiles: default, ops); did you mean ops?");
        assertThat(authorizations).isEmpty();
    }

    @Test
    void aProfileWithoutAnyProfileFiles_saysThereAreNone() {
        System.setProperty("aws.configFile", dir.resolve("no-config").toString());
        System.setProperty("aws.sharedCredentialsFile", dir.resolve("no-credentials").toString());

        CommandRun run = CommandRun.of("runs", "--endpoint-url", url(), "--profile", "ops");

        UsageErrorTest.assertOneLineAndExit2(run, "retrier runs: Invalid value for option '--profile': 'ops' is not a"
                + " profile of the AWS config or credentials file (there are none)");
    }
}
