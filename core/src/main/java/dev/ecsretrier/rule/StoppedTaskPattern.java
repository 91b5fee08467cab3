package dev.ecsretrier.rule;

import dev.ecsretrier.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The EventBridge event pattern that delivers this retrier's stopped tasks to the classifier:
 * {@code ECS Task State Change}, {@code lastStatus=STOPPED}, our {@code startedBy}, our cluster.
 * Defined once; the CDK rule and the local event bus (Event Ruler) both use it.
 */
public record StoppedTaskPattern(String startedBy, String clusterArn, boolean acceptTestEvents) {

    public static final String ECS_SOURCE = "aws.ecs";
    /** EventBridge refuses PutEvents with an {@code aws.} source; test events use this one. */
    public static final String TEST_SOURCE = "ecs-retrier.test";
    public static final String DETAIL_TYPE = "ECS Task State Change";

    public List<String> sources() {
        return acceptTestEvents ? List.of(ECS_SOURCE, TEST_SOURCE) : List.of(ECS_SOURCE);
    }

    public List<String> detailTypes() {
        return List.of(DETAIL_TYPE);
    }

    /** The {@code detail} part of the pattern. */
    public Map<String, Object> detail() {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("lastStatus", List.of("STOPPED"));
        detail.put("startedBy", List.of(startedBy));
        detail.put("clusterArn", List.of(clusterArn));
        return detail;
    }

    /** The whole pattern as EventBridge takes it. */
    public Map<String, Object> asMap() {
        Map<String, Object> pattern = new LinkedHashMap<>();
        pattern.put("source", sources());
        pattern.put("detail-type", detailTypes());
        pattern.put("detail", detail());
        return pattern;
    }

    /** The pattern as JSON, for Event Ruler and for {@code PutRule}. */
    public String toJson() {
        return Json.write(asMap());
    }
}
