package dev.ecsretrier.core;

/**
 * The CloudWatch metric a run's end is counted in (Embedded Metric Format, written by the
 * functions): its namespace, name and dimensions, which the construct's alarms and dashboard use.
 */
public final class RunsEndedMetric {

    public static final String NAMESPACE = "EcsRetrier";
    public static final String NAME = "RunsEnded";
    public static final String RETRIER_DIMENSION = "Retrier";
    public static final String OUTCOME_DIMENSION = "Outcome";
    public static final String JOB_DIMENSION = "Job";

    private RunsEndedMetric() {
    }
}
