package com.example.platform;

import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;

/** The CDK app of cdk.json: one stack, one ecs-retrier serving a platform team's jobs on its existing cluster. */
public final class PlatformJobsApp {

    private PlatformJobsApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        new PlatformJobsStack(app, "PlatformJobsRetrier", StackProps.builder().build());
        app.synth();
    }
}
