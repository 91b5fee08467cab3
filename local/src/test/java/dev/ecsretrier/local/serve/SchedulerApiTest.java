package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.LocalSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.ValidationException;

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
}
