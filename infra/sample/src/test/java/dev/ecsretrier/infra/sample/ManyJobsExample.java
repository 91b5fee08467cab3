package dev.ecsretrier.infra.sample;

import dev.ecsretrier.infra.EcsRetrier;
import dev.ecsretrier.infra.EcsRetrierJob;
import dev.ecsretrier.infra.EcsRetrierProps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.constructs.Construct;

/**
 * The many-jobs example of docs/deploy.md, verbatim between the markers, as examples/many-jobs has it too (ManyJobsGuideTest
 * holds the three equal): here for the tests that synthesize it in this build (template, cdk-nag, cfn-lint), there for CI's
 * synthesis with the CDK CLI.
 */
final class ManyJobsExample {

    private ManyJobsExample() {
    }

    static EcsRetrier retrier(Construct scope, ICluster cluster, TaskDefinition nightlyEtl, TaskDefinition reports,
            TaskDefinition invoices) {
        // docs/deploy.md begin
        Map<String, EcsRetrierJob> jobs = new LinkedHashMap<>();
        jobs.put("nightly-etl", EcsRetrierJob.builder()
                .taskDefinition(nightlyEtl)
                .containerNames(List.of("app", "report"))   // start requests may override either
                .maxAttempts(5)
                .retryableExitCodes(List.of(2, 75))
                .build());
        jobs.put("reports", EcsRetrierJob.builder()
                .taskDefinition(reports)
                .containerName("render")
                .memoryEscalation(true)
                .build());
        jobs.put("invoices", EcsRetrierJob.builder()
                .taskDefinition(invoices)
                .attemptTimeout(Duration.hours(1))
                .build());
        return new EcsRetrier(scope, "Retrier", EcsRetrierProps.builder()
                .cluster(cluster)
                // Every job's defaults: a job sets only what differs.
                .maxAttempts(3)
                .backoffInitialDelay(Duration.minutes(2))
                .jobs(jobs)
                .build());
        // docs/deploy.md end
    }
}
