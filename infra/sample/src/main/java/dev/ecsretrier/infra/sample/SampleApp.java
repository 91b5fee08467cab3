package dev.ecsretrier.infra.sample;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app of {@code cdk.json}: the sample stack {@value #STACK_NAME}. Synthesizes without AWS credentials
 * (environment-agnostic); when the CDK CLI knows the account and region it passes them, and the stack uses them.
 * {@code cdk deploy -c notificationEmail=you@example.com} subscribes an address to the topic.
 */
public final class SampleApp {

    public static final String STACK_NAME = "EcsRetrierSample";

    private SampleApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Object email = app.getNode().tryGetContext("notificationEmail");
        new SampleStack(app, STACK_NAME, stackProps(System.getenv("CDK_DEFAULT_ACCOUNT"), System.getenv("CDK_DEFAULT_REGION")),
                email == null ? null : email.toString());
        app.synth();
    }

    /** Environment-agnostic unless both the account and the region are known. */
    static StackProps stackProps(String account, String region) {
        StackProps.Builder props = StackProps.builder()
                .description("ecs-retrier around sample-task: retries ECS tasks by their stop reason");
        if (account != null && region != null) {
            props.env(Environment.builder().account(account).region(region).build());
        }
        return props.build();
    }
}
