package dev.ecsretrier.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import org.junit.jupiter.api.Test;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A local task's lifecycle as ECS reports it: statuses, timestamps, stop codes and versions. */
class LocalTaskTest {

    static final Instant CREATED = Instant.parse("2026-12-01T09:00:00Z");
    static final Instant STARTED = CREATED.plusSeconds(20);
    static final Instant EXITED = CREATED.plusSeconds(80);
    static final Instant STOPPED = CREATED.plusSeconds(81);

    /** A process that only counts the SIGTERMs it gets. */
    static final class Process implements TaskProgram.Execution {
        final AtomicInteger stops = new AtomicInteger();

        @Override
        public CompletableFuture<Integer> exitCode() {
            return new CompletableFuture<>();
        }

        @Override
        public void stop() {
            stops.incrementAndGet();
        }
    }

    static LocalTask task(LaunchFault.StopsTask fault) {
        return new LocalTask("arn:aws:ecs:us-east-1:000000000000:task/local/0123", "0123",
                "arn:aws:ecs:us-east-1:000000000000:task-definition/sample:1", LocalEcsTest.request("life", 1),
                new LaunchKey("life", 1), fault, CREATED, "1024", "2048");
    }

    @Test
    void aTaskIsProvisioningAtVersion1UntilItsProcessRuns() {
        LocalTask task = task(null);

        assertThat(task.lastStatus()).isEqualTo("PROVISIONING");
        assertThat(task.version()).isEqualTo(1);
        assertThat(task.startedAt()).isNull();
    }

    @Test
    void runningThenExitingStopsWithEssentialContainerExitedAtVersion5() {
        LocalTask task = task(null);

        task.run(List.of(new Process()), STARTED);
        assertThat(task.lastStatus()).isEqualTo("RUNNING");
        assertThat(task.version()).isEqualTo(3);
        assertThat(task.exit(0, 2, null, EXITED)).as("its only container").isTrue();
        String event = task.stop(STOPPED, stopped -> "event of " + stopped.taskId);

        assertThat(event).isEqualTo("event of 0123");
        assertThat(task.launched().stoppedEvent()).isEqualTo(event);
        LocalEcs.TaskState state = task.state("cluster");
        assertThat(state.lastStatus()).isEqualTo("STOPPED");
        assertThat(state.startedAt()).isEqualTo(STARTED);
        assertThat(state.stoppedAt()).isEqualTo(STOPPED);
        assertThat(state.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(state.stoppedReason()).isEqualTo(LaunchFault.ESSENTIAL_CONTAINER_EXITED);
        assertThat(state.containers()).containsExactly(new ContainerExit("app", 2, null));
        assertThat(state.version()).isEqualTo(5);
        assertThat(task.executionStoppedAt()).isEqualTo(EXITED);
        assertThat(task.stoppingAt()).isEqualTo(EXITED);
        assertThat(task.describeStop())
                .isEqualTo("EssentialContainerExited: " + LaunchFault.ESSENTIAL_CONTAINER_EXITED + "; app exit 2");
    }

    @Test
    void aStopRequestSignalsTheProcessOnceAndTheExitIsUserInitiated() {
        LocalTask task = task(null);
        Process process = new Process();
        task.run(List.of(process), STARTED);

        assertThat(task.requestStop("Cancelled by the operator", EXITED)).isTrue();
        assertThat(task.requestStop("again", EXITED.plusSeconds(1))).as("already stopping").isFalse();
        task.exit(0, 143, null, EXITED.plusSeconds(2));
        task.stop(STOPPED, stopped -> "");

        assertThat(process.stops).hasValue(1);
        assertThat(task.stopCode()).isEqualTo("UserInitiated");
        assertThat(task.stoppedReason()).isEqualTo("Cancelled by the operator");
        assertThat(task.stoppingAt()).as("when StopTask came").isEqualTo(EXITED);
        assertThat(task.containerExits()).containsExactly(new ContainerExit("app", 143, null));
        assertThat(task.requestStop("after the stop", STOPPED.plusSeconds(1))).isFalse();
    }

    @Test
    void aStopRequestedWhileProvisioningStopsTheTaskBeforeItsProcessStarts() {
        LocalTask task = task(null);
        assertThat(task.stopIfRequestedBeforeStart()).isFalse();

        task.requestStop("Cancelled", STARTED);

        assertThat(task.stopIfRequestedBeforeStart()).isTrue();
        task.stop(STOPPED, stopped -> "");
        assertThat(task.stopCode()).isEqualTo("UserInitiated");
        assertThat(task.version()).isEqualTo(3);
        assertThat(task.startedAt()).isNull();
        assertThat(task.containerExits().get(0).exitCode()).isNull();
    }

    @Test
    void aProcessStartedAfterAStopRequestIsStoppedAtOnce() {
        LocalTask task = task(null);
        task.requestStop("Cancelled", CREATED.plusSeconds(1));
        Process process = new Process();

        task.run(List.of(process), STARTED);

        assertThat(process.stops).hasValue(1);
    }

    @Test
    void aProcessThatCannotStartStopsTheTaskWithCannotStartContainerError() {
        LocalTask task = task(null);

        task.failToStart(0, "no such file", STARTED);
        task.stop(STOPPED, stopped -> "");

        assertThat(task.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(task.containerExits().get(0).reason()).isEqualTo("CannotStartContainerError: no such file");
        assertThat(task.startedAt()).isNull();
        assertThat(task.stoppingAt()).isEqualTo(STARTED);
        assertThat(task.version()).isEqualTo(3);
    }

    @Test
    void aFaultWithoutAnExitCodeStopsTheTaskBeforeItsContainerStarted() {
        LocalTask task = task((LaunchFault.StopsTask) LaunchFault.cannotPullContainer());

        task.stopByFault(EXITED);
        task.stop(STOPPED, stopped -> "");

        assertThat(task.stopCode()).isEqualTo("TaskFailedToStart");
        assertThat(task.startedAt()).isNull();
        assertThat(task.containerExits().get(0).exitCode()).isNull();
        assertThat(task.version()).isEqualTo(3);
    }

    @Test
    void aSpotInterruptionStartsTheContainerHalfwayAndNamesFargateSpot() {
        LocalTask task = task((LaunchFault.StopsTask) LaunchFault.spotInterruption());

        task.stopByFault(EXITED);

        assertThat(task.stopCode()).isEqualTo("SpotInterruption");
        assertThat(task.startedAt()).isEqualTo(CREATED.plusSeconds(40));
        assertThat(task.executionStoppedAt()).isEqualTo(EXITED);
        assertThat(task.capacityProvider()).isEqualTo("FARGATE_SPOT");
        assertThat(task.version()).isEqualTo(5);
    }

    @Test
    void aStopRequestBeforeTheFaultMakesTheStopUserInitiated() {
        LocalTask task = task((LaunchFault.StopsTask) LaunchFault.cannotPullContainer());
        task.requestStop("Cancelled", STARTED);

        task.stopByFault(EXITED);

        assertThat(task.stopCode()).isEqualTo("UserInitiated");
        assertThat(task.stoppedReason()).isEqualTo("Cancelled");
        assertThat(task.stoppingAt()).isEqualTo(STARTED);
    }

    @Test
    void aTaskOfTwoContainers_stopsWhenTheLastExits_reportingEach() {
        var r = LocalEcsTest.request("two", 1);
        var twoContainers = new dev.ecsretrier.port.LaunchRequest(r.cluster(), r.taskDefinition(), r.startedBy(),
                r.clientToken(), List.of(r.containers().get(0), new ContainerOverride("report", List.of("render"),
                        List.of(new EnvironmentVariable("FORMAT", "pdf")))), r.tags(), r.launchType(),
                r.capacityProviderStrategy(), r.network(), r.size());
        LocalTask task = new LocalTask("arn:aws:ecs:us-east-1:000000000000:task/local/0456", "0456",
                "arn:aws:ecs:us-east-1:000000000000:task-definition/sample:1", twoContainers, new LaunchKey("two", 1),
                null, CREATED, "1024", "2048");
        Process app = new Process();
        Process report = new Process();
        task.run(List.of(app, report), STARTED);

        assertThat(task.exit(1, 0, null, EXITED)).as("the app still runs").isFalse();
        assertThat(task.lastStatus()).isEqualTo("RUNNING");
        assertThat(task.requestStop("cancelled", EXITED.plusSeconds(1))).isTrue();
        assertThat(app.stops).as("only the container still running is signalled").hasValue(1);
        assertThat(report.stops).hasValue(0);
        assertThat(task.exit(0, 143, null, EXITED.plusSeconds(2))).isTrue();
        task.stop(STOPPED, stopped -> "event");

        assertThat(task.state("cluster").containers()).containsExactly(new ContainerExit("app", 143, null),
                new ContainerExit("report", 0, null));
        assertThat(task.describeStop()).isEqualTo("UserInitiated: cancelled; app exit 143; report exit 0");
    }
}
