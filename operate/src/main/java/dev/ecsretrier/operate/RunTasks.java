package dev.ecsretrier.operate;

import dev.ecsretrier.core.AttemptMetadata;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/**
 * The tasks of this retrier, read live from ECS: {@code ListTasks} by {@code startedBy} (which "must
 * be the only filter" besides the cluster), then {@code DescribeTasks(include=TAGS)} in batches of
 * 100 for the run id and attempt tags
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html).
 */
public final class RunTasks {

    /** DescribeTasks takes at most 100 tasks. */
    static final int DESCRIBE_BATCH = 100;

    /** One task of a run: its attempt and job (from the tags; job null for a task tagged before jobs were) and ECS's view of it. */
    public record RunTask(String runId, Integer attempt, String job, Task task) {
        public boolean stopping() {
            return "STOPPED".equals(task.desiredStatus()) || "STOPPED".equals(task.lastStatus());
        }
    }

    private final EcsClient ecs;
    private final Deployment deployment;

    public RunTasks(EcsClient ecs, Deployment deployment) {
        this.ecs = ecs;
        this.deployment = deployment;
    }

    /** This retrier's tasks with the given desired status (RUNNING: in flight; STOPPED: ECS keeps them about an hour). */
    public List<RunTask> all(DesiredStatus desired) {
        List<String> arns = new ArrayList<>();
        ecs.listTasksPaginator(r -> r.cluster(deployment.cluster()).startedBy(deployment.startedBy())
                .desiredStatus(desired)).taskArns().forEach(arns::add);
        List<RunTask> tasks = new ArrayList<>();
        for (int from = 0; from < arns.size(); from += DESCRIBE_BATCH) {
            List<String> batch = arns.subList(from, Math.min(arns.size(), from + DESCRIBE_BATCH));
            for (Task task : ecs.describeTasks(r -> r.cluster(deployment.cluster()).tasks(batch).include(TaskField.TAGS))
                    .tasks()) {
                String runId = tag(task, AttemptMetadata.RUN_ID_TAG);
                if (runId != null) {
                    String attempt = tag(task, AttemptMetadata.ATTEMPT_TAG);
                    tasks.add(new RunTask(runId, attempt == null ? null : Integer.valueOf(attempt),
                            tag(task, AttemptMetadata.JOB_TAG), task));
                }
            }
        }
        return tasks;
    }

    /** The run's tasks that ECS still runs (desired status RUNNING). */
    public List<RunTask> running(String runId) {
        return all(DesiredStatus.RUNNING).stream().filter(t -> t.runId().equals(runId)).toList();
    }

    /** Every task of the run ECS still knows, running or stopped. */
    public List<RunTask> of(String runId) {
        List<RunTask> tasks = new ArrayList<>();
        for (DesiredStatus desired : List.of(DesiredStatus.RUNNING, DesiredStatus.STOPPED)) {
            all(desired).stream().filter(t -> t.runId().equals(runId)).forEach(tasks::add);
        }
        tasks.sort(java.util.Comparator.comparing(t -> t.attempt() == null ? 0 : t.attempt()));
        return tasks;
    }

    private static String tag(Task task, String key) {
        for (Tag tag : task.tags()) {
            if (key.equals(tag.key())) {
                return tag.value();
            }
        }
        return null;
    }
}
