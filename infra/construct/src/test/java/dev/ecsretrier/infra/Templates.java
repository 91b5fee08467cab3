package dev.ecsretrier.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.assertions.Template;

/** Looks resources up in a synthesized template by type and logical-id prefix, and builds CloudFormation references. */
public final class Templates {

    private Templates() {
    }

    public static String logicalId(Template template, String type, String logicalIdPrefix) {
        List<String> ids = template.findResources(type).keySet().stream()
                .filter(id -> id.startsWith(logicalIdPrefix))
                .toList();
        assertThat(ids).as("%s resources whose logical id starts with %s", type, logicalIdPrefix).hasSize(1);
        return ids.get(0);
    }

    public static JsonNode resource(Template template, String type, String logicalIdPrefix) {
        String id = logicalId(template, type, logicalIdPrefix);
        return TestJson.toTree(template.findResources(type).get(id));
    }

    public static Map<String, Object> ref(String logicalId) {
        return Map.of("Ref", logicalId);
    }

    public static Map<String, Object> arnOf(String logicalId) {
        return getAtt(logicalId, "Arn");
    }

    public static Map<String, Object> getAtt(String logicalId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
    }

    /** {@code arn:${Partition}:service:${Region}:${AccountId}:} followed by the given parts, as CDK's formatArn renders it. */
    public static Map<String, Object> arnInThisAccount(String service, Object... rest) {
        List<Object> parts = new java.util.ArrayList<>(List.of(
                "arn:", ref("AWS::Partition"), ":" + service + ":", ref("AWS::Region"), ":", ref("AWS::AccountId")));
        parts.addAll(List.of(rest));
        return Map.of("Fn::Join", List.of("", parts));
    }

    public static JsonNode tree(Object value) {
        return TestJson.toTree(value);
    }
}
