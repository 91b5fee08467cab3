package com.example.jobs;

import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;

/** The CDK app of cdk.json: one stack, ecs-retrier around the nightly import on the existing jobs cluster. */
public final class JobsApp {

    private JobsApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        new JobsStack(app, "JobsRetrier", StackProps.builder().build());
        app.synth();
    }
}
