package dev.ecsretrier.testutil;

import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.TaskLauncher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ECS {@code RunTask} in memory. Like ECS, a repeated {@code clientToken} returns the task the first
 * call started instead of starting another. {@link #failWith} makes the next launches fail synchronously,
 * {@link #unavailable} go unanswered.
 */
public final class FakeTaskLauncher implements TaskLauncher {

    private final List<LaunchRequest> requests = new ArrayList<>();
    private final Map<String, String> taskByToken = new HashMap<>();
    private final List<String> stopped = new ArrayList<>();
    private Runnable afterLaunch = () -> { };
    private LaunchResult failure;
    private int started;

    public FakeTaskLauncher failWith(String reason, String detail) {
        this.failure = new LaunchResult.Failed(reason, detail);
        return this;
    }

    /** The next launches get no answer from ECS ({@link LaunchResult.Unavailable}). */
    public FakeTaskLauncher unavailable(String reason, String detail) {
        this.failure = new LaunchResult.Unavailable(reason, detail);
        return this;
    }

    @Override
    public LaunchResult launch(LaunchRequest request) {
        requests.add(request);
        if (failure != null) {
            return failure;
        }
        String taskArn = taskByToken.computeIfAbsent(request.clientToken(),
                token -> String.format("arn:aws:ecs:us-east-1:111122223333:task/batch/%032x", ++started));
        afterLaunch.run();
        return new LaunchResult.Started(taskArn);
    }

    @Override
    public void stop(String cluster, String taskArn, String reason) {
        stopped.add(taskArn + " " + reason);
    }

    /** Runs once RunTask started a task, before its answer returns: what lands while ECS starts it. */
    public FakeTaskLauncher afterLaunch(Runnable action) {
        this.afterLaunch = action;
        return this;
    }

    /** Every StopTask, as {@code "<taskArn> <reason>"}. */
    public List<String> stopped() {
        return stopped;
    }

    public List<LaunchRequest> requests() {
        return requests;
    }

    /** How many distinct tasks ECS started. */
    public int tasksStarted() {
        return taskByToken.size();
    }

    public LaunchRequest only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one RunTask, got " + requests.size());
        }
        return requests.get(0);
    }
}
