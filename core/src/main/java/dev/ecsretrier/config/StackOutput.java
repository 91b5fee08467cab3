package dev.ecsretrier.config;

/**
 * The CloudFormation outputs a retrier stack gives, by key: the sample stack writes them, and
 * {@code retrier start|cancel|runs --stack NAME} reads them to find the deployment.
 */
public enum StackOutput {
    STARTER_ALIAS_ARN("StarterAliasArn", "invoke this to start a run"),
    CLUSTER_ARN("ClusterArn", "the cluster its tasks run in"),
    STARTED_BY("StartedBy", "startedBy of the tasks this retrier starts"),
    SCHEDULE_GROUP_NAME("ScheduleGroupName", "the schedule group of its next attempts, timeouts and cancel markers"),
    SCHEDULER_ROLE_ARN("SchedulerRoleArn", "the role its schedules run as"),
    STARTER_LOG_GROUP_NAME("StarterLogGroupName", "the starter's logs"),
    CLASSIFIER_LOG_GROUP_NAME("ClassifierLogGroupName", "the classifier's logs"),
    /** Optional: without it, {@code retrier runs --job} filters by any name. */
    JOBS("Jobs", "the jobs it serves, comma-separated");

    private final String key;
    private final String description;

    StackOutput(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The output's key (its logical id in the template). */
    public String key() {
        return key;
    }

    public String description() {
        return description;
    }
}
