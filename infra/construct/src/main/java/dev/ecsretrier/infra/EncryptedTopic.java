package dev.ecsretrier.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/** The topic the construct creates when it is given none: KMS-encrypted, TLS only, open to our own alarms. */
final class EncryptedTopic {

    private EncryptedTopic() {
    }

    static ITopic create(Construct scope) {
        Stack stack = Stack.of(scope);
        Key key = Key.Builder.create(scope, "TopicKey")
                .description("Encrypts ecs-retrier notifications")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .pendingWindow(Duration.days(7))
                .build();
        Topic created = Topic.Builder.create(scope, "Topic")
                .displayName("ecs-retrier")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        // CloudWatch alarms publish as the service itself: an encrypted topic must let it in, and its key too.
        Map<String, Object> fromOurAlarms = TemplateOrder.map(
                "StringEquals", Map.of("aws:SourceAccount", stack.getAccount()),
                "ArnLike", Map.of("aws:SourceArn", stack.formatArn(ArnComponents.builder()
                        .service("cloudwatch").resource("alarm").resourceName("*")
                        .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build())));
        created.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("CloudWatchAlarmsPublish")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(created.getTopicArn()))
                .conditions(fromOurAlarms)
                .build());
        key.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("CloudWatchAlarmsUseKey")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey*"))
                .resources(List.of("*")) // in a key policy, "*" is this key
                .conditions(fromOurAlarms)
                .build());
        return created;
    }
}
