package dev.ecsretrier.testutil;

import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.TaskDescriber;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ECS {@code DescribeTasks(include=TAGS)} in memory: knows the tasks it was given, nothing else. */
public final class FakeTaskDescriber implements TaskDescriber {

    /** One call: the cluster and task asked for. */
    public record Call(String cluster, String taskArn) {
    }

    private final Map<String, DescribedTask> tasks = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();

    public FakeTaskDescriber knows(DescribedTask task) {
        tasks.put(task.taskArn(), task);
        return this;
    }

    @Override
    public Optional<DescribedTask> describe(String cluster, String taskArn) {
        calls.add(new Call(cluster, taskArn));
        return Optional.ofNullable(tasks.get(taskArn));
    }

    public List<Call> calls() {
        return calls;
    }
}
