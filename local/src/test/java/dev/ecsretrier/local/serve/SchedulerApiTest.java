package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ListSchedulesResponse;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;
import software.amazon.awssdk.services.scheduler.model.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code serve}'s EventBridge Scheduler CreateSchedule and DeleteSchedule, driven by the SDK v2's SchedulerClient. */
class SchedulerApiTest {

    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    static ServedRuntime served;
    static SchedulerClient scheduler;

    @BeforeAll
    static void start() throws Exception {
        served = new ServedRuntime(31);
        scheduler = served.client(SchedulerClient.builder());
    }

    @AfterAll
    static void stop() {
        scheduler.close();
        served.close();
    }

    /** A next attempt's schedule as the classifier creates it: one-time, UTC, the starter as target. */
    static CreateScheduleRequest nextAttempt(String name, Instant at, String startRequest) {
        return CreateScheduleRequest.builder()
                .name(name)
                .groupName("default")
                .scheduleExpression("at(" + AT.format(at) + ")")
                .scheduleExpressionTimezone("UTC")
                .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                .actionAfterCompletion(ActionAfterCompletion.DELETE)
                .target(t -> t.arn(LocalSettings.STARTER_ARN).roleArn(LocalSettings.SCHEDULER_ROLE_ARN).input(startRequest))
                .build();
    }

    @Test
    void aScheduleFiresItsTargetWithItsInput() throws Exception {
        String arn = scheduler.createSchedule(nextAttempt("sched-fires-1", Instant.now(), "{\"runId\":\"sched-fires\"}"))
                .scheduleArn();

        assertThat(arn).isEqualTo("arn:aws:scheduler:local:000000000000:schedule/default/sched-fires-1");
        // The schedule invokes the starter with its input: the run starts and succeeds.
        assertThat(served.runtime.awaitOutcome("sched-fires", Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.SUCCEEDED);
    }

    @Test
    void aNameThatExistsIsAConflictAndADeletedNameIsNotFound() {
        // Far enough ahead that, even at the runtime's time scale, it does not fire during the test.
        CreateScheduleRequest later = nextAttempt("sched-later-2", Instant.parse("2099-01-01T00:00:00Z"),
                "{\"runId\":\"sched-later\"}");
        scheduler.createSchedule(later);
        assertThat(served.runtime.scheduler().pending()).contains("sched-later-2");

        assertThatThrownBy(() -> scheduler.createSchedule(later))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.statusCode()).isEqualTo(409))
                .hasMessageContaining("Schedule sched-later-2 already exists.");

        scheduler.deleteSchedule(r -> r.name("sched-later-2").groupName("default"));
        assertThat(served.runtime.scheduler().pending()).doesNotContain("sched-later-2");
        assertThatThrownBy(() -> scheduler.deleteSchedule(r -> r.name("sched-later-2").groupName("default")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                .hasMessageContaining("Schedule sched-later-2 does not exist.");
    }

    @Test
    void aGroupThatDoesNotExistIsNotFound() {
        assertThatThrownBy(() -> scheduler.createSchedule(nextAttempt("sched-group-2", Instant.now().plusSeconds(60), "{}")
                .toBuilder().groupName("elsewhere").build()))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Schedule group elsewhere does not exist.");
    }

    @Test
    void aRecurringScheduleIsRefusedWithAValidationError() {
        assertThatThrownBy(() -> scheduler.createSchedule(nextAttempt("sched-rate", Instant.now(), "{}")
                .toBuilder().scheduleExpression("rate(5 minutes)").build()))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.statusCode()).isEqualTo(400))
                .hasMessageContaining("only one-time at(yyyy-mm-ddThh:mm:ss) schedules");
    }

    /**
     * The body is read by the functions' binder: a member of the wrong type is a ValidationException
     * naming it, and members the local scheduler does not read (ClientToken, Target.RetryPolicy) are
     * passed over, as the real API takes them.
     */
    @Test
    void aMemberOfTheWrongTypeIsAValidationErrorNamingIt_andMembersNotReadAreSkipped() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String body = "{\"ClientToken\":\"t-1\",\"ScheduleExpression\":\"at(2099-01-01T00:00:00)\","
                + "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":%s,\"RoleArn\":\"%s\","
                + "\"RetryPolicy\":{\"MaximumRetryAttempts\":0}}}";
        java.net.http.HttpResponse<String> wrong = http.send(java.net.http.HttpRequest.newBuilder(
                        served.endpoint.uri().resolve("/schedules/sched-typed-1"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(String.format(body, "7",
                        LocalSettings.SCHEDULER_ROLE_ARN))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
        assertThat(wrong.body()).contains("Target.Arn must be a string, got number 7");

        java.net.http.HttpResponse<String> right = http.send(java.net.http.HttpRequest.newBuilder(
                        served.endpoint.uri().resolve("/schedules/sched-typed-2"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(String.format(body,
                        "\"" + LocalSettings.STARTER_ARN + "\"", LocalSettings.SCHEDULER_ROLE_ARN))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        assertThat(served.runtime.scheduler().pending()).contains("sched-typed-2");
        scheduler.deleteSchedule(r -> r.name("sched-typed-2").groupName("default"));
    }

    static final Instant FAR_AHEAD = Instant.parse("2099-01-01T00:00:00Z");

    @Test
    void listSchedulesAnswersThePendingSchedulesOfAGroupByNamePrefixInPages() {
        String group = served.runtime.config().scheduleGroup();
        for (int attempt = 2; attempt <= 4; attempt++) {
            scheduler.createSchedule(nextAttempt("sched-list-" + attempt, FAR_AHEAD, "{\"runId\":\"sched-list\"}")
                    .toBuilder().groupName(group).build());
        }
        scheduler.createSchedule(nextAttempt("sched-other-2", FAR_AHEAD, "{\"runId\":\"sched-other\"}"));

        ListSchedulesResponse page = scheduler.listSchedules(r -> r.groupName(group).namePrefix("sched-list-").maxResults(2));
        List<String> all = scheduler.listSchedulesPaginator(r -> r.groupName(group).namePrefix("sched-list-").maxResults(2))
                .schedules().stream().map(ScheduleSummary::name).toList();

        assertThat(page.schedules()).hasSize(2).first().satisfies(summary -> {
            assertThat(summary.name()).isEqualTo("sched-list-2");
            assertThat(summary.groupName()).isEqualTo(group);
            assertThat(summary.arn()).isEqualTo("arn:aws:scheduler:local:000000000000:schedule/" + group + "/sched-list-2");
            assertThat(summary.stateAsString()).isEqualTo("ENABLED");
            assertThat(summary.target().arn()).isEqualTo(LocalSettings.STARTER_ARN);
            assertThat(summary.creationDate()).isNotNull();
        });
        assertThat(page.nextToken()).isNotEmpty();
        assertThat(all).containsExactly("sched-list-2", "sched-list-3", "sched-list-4");
        assertThat(scheduler.listSchedules(r -> r.groupName("default").namePrefix("sched-other")).schedules())
                .extracting(ScheduleSummary::name).containsExactly("sched-other-2");
        assertThat(scheduler.listSchedules(r -> r.namePrefix("sched-list-").state(ScheduleState.DISABLED)).schedules())
                .isEmpty();
        assertThatThrownBy(() -> scheduler.listSchedules(r -> r.maxResults(101)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("MaxResults");
        for (int attempt = 2; attempt <= 4; attempt++) {
            String name = "sched-list-" + attempt;
            scheduler.deleteSchedule(r -> r.name(name).groupName(group));
        }
        scheduler.deleteSchedule(r -> r.name("sched-other-2").groupName("default"));
    }

    @Test
    void getScheduleAnswersTheScheduleAsCreatedAndNotFoundOnceDeleted() {
        scheduler.createSchedule(nextAttempt("sched-get-2", FAR_AHEAD, "{\"runId\":\"sched-get\",\"attempt\":2}"));

        GetScheduleResponse schedule = scheduler.getSchedule(r -> r.name("sched-get-2").groupName("default"));

        assertThat(schedule.arn()).isEqualTo("arn:aws:scheduler:local:000000000000:schedule/default/sched-get-2");
        assertThat(schedule.scheduleExpression()).isEqualTo("at(2099-01-01T00:00:00)");
        assertThat(schedule.scheduleExpressionTimezone()).isEqualTo("UTC");
        assertThat(schedule.stateAsString()).isEqualTo("ENABLED");
        assertThat(schedule.actionAfterCompletionAsString()).isEqualTo("DELETE");
        assertThat(schedule.target().arn()).isEqualTo(LocalSettings.STARTER_ARN);
        assertThat(schedule.target().input()).isEqualTo("{\"runId\":\"sched-get\",\"attempt\":2}");
        assertThatThrownBy(() -> scheduler.getSchedule(r -> r.name("sched-get-2").groupName("elsewhere")))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("Schedule group elsewhere does not exist.");
        scheduler.deleteSchedule(r -> r.name("sched-get-2").groupName("default"));
        assertThatThrownBy(() -> scheduler.getSchedule(r -> r.name("sched-get-2").groupName("default")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void aDisabledSchedule_neverFires_andGetAndListShowItDisabledWithItsDescription_itIsTheRunsCancelMarker()
            throws Exception {
        scheduler.createSchedule(nextAttempt("sched-off-cancelled", Instant.now(), "{\"runId\":\"sched-off\"}")
                .toBuilder().groupName(served.runtime.config().scheduleGroup()).state(ScheduleState.DISABLED)
                .description("wrong input file").build());

        GetScheduleResponse got = scheduler.getSchedule(r -> r.name("sched-off-cancelled")
                .groupName(served.runtime.config().scheduleGroup()));
        assertThat(got.state()).isEqualTo(ScheduleState.DISABLED);
        assertThat(got.description()).isEqualTo("wrong input file");
        assertThat(scheduler.listSchedules(r -> r.namePrefix("sched-off").state(ScheduleState.DISABLED)).schedules())
                .extracting(ScheduleSummary::name).containsExactly("sched-off-cancelled");
        assertThat(scheduler.listSchedules(r -> r.namePrefix("sched-off").state(ScheduleState.ENABLED)).schedules())
                .isEmpty();
        assertThat(served.runtime.scheduler().cancellation("sched-off"))
                .contains(new dev.ecsretrier.core.RunCancellation("sched-off", "wrong input file"));
        Thread.sleep(300);
        assertThat(served.runtime.awaitOutcome("sched-off", Duration.ZERO)).as("it never fired").isEmpty();

        scheduler.deleteSchedule(r -> r.name("sched-off-cancelled").groupName(served.runtime.config().scheduleGroup()));
        assertThat(served.runtime.scheduler().cancellation("sched-off")).isEmpty();
    }
}
