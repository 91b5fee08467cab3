package dev.ecsretrier.infra;

import dev.ecsretrier.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A function's environment measured as Lambda measures it against its quota: "4 KB, for all environment variables
 * associated with the function, in aggregate" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
 * the string measured being the variables as one JSON object (Lambda's InvalidParameterValueException quotes it as
 * "String measured: {"NAME":"value",...}"). Past it, CloudFormation cannot create the function; the construct refuses
 * at synth instead, naming the prop that set the largest variables.
 *
 * <p>Values are CloudFormation-resolved (a string, or an intrinsic such as {@code Ref}, {@code Fn::GetAtt} or
 * {@code Fn::Join}). A reference is only known at deploy time: it counts as {@value #REFERENCE_BYTES} bytes, more than
 * the ARN of a resource that CloudFormation names (at most 64-80 characters of name), and pseudo parameters count as
 * their longest value. So the estimate errs towards refusing early rather than failing in CloudFormation.
 */
record LambdaEnvironmentSize(String function, Map<String, String> estimated, int bytes) {

    /** Lambda's limit: 4 KB for all of a function's variables together. */
    static final int LIMIT_BYTES = 4096;
    /** What an unresolved reference is counted as. */
    static final int REFERENCE_BYTES = 128;
    private static final Map<String, String> PSEUDO_PARAMETERS = Map.of(
            "AWS::Partition", "aws-us-gov",
            "AWS::Region", "ap-southeast-4",
            "AWS::AccountId", "123456789012",
            "AWS::URLSuffix", "amazonaws.com.cn");

    /** Measures resolved variables (name to a string or a CloudFormation intrinsic). */
    static LambdaEnvironmentSize of(String function, Map<String, ?> resolvedVariables) {
        Map<String, String> estimated = new LinkedHashMap<>();
        resolvedVariables.forEach((name, value) -> estimated.put(name, estimate(value)));
        return new LambdaEnvironmentSize(function, estimated, jsonBytes(estimated));
    }

    boolean fits() {
        return bytes <= LIMIT_BYTES;
    }

    /** Bytes one variable adds to the measured string ({@code "NAME":"value"}, escapes included, and its comma). */
    int bytesOf(String variable) {
        return jsonBytes(Map.of(variable, estimated.get(variable))) - 2 + 1;
    }

    /**
     * Empty when the environment fits; else why not, naming the props behind the largest variables first
     * ({@code propOfVariable} names the prop that sets each variable; a variable without one is the construct's own).
     */
    Optional<String> violation(Map<String, String> propOfVariable) {
        if (fits()) {
            return Optional.empty();
        }
        List<String> largest = estimated.keySet().stream()
                .sorted(Comparator.comparingInt(this::bytesOf).reversed())
                .limit(3)
                .toList();
        String culprit = propOfVariable.getOrDefault(largest.get(0), "the construct's own settings");
        String breakdown = largest.stream()
                .map(v -> propOfVariable.getOrDefault(v, "(the construct)") + " as " + v + ": " + bytesOf(v) + " bytes")
                .collect(Collectors.joining(", "));
        return Optional.of(culprit + " is too large: the " + function + " function's environment would be about " + bytes
                + " bytes, over Lambda's " + LIMIT_BYTES + " (4 KB for all variables together, which CloudFormation would"
                + " refuse at deploy). Largest: " + breakdown + ". Shorten or drop some of it.");
    }

    private static int jsonBytes(Map<String, String> variables) {
        return Json.write(variables).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String estimate(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> intrinsic && intrinsic.size() == 1) {
            Object join = intrinsic.get("Fn::Join");
            if (join instanceof List<?> args && args.size() == 2 && args.get(1) instanceof List<?> parts) {
                return parts.stream().map(LambdaEnvironmentSize::estimate).collect(Collectors.joining(String.valueOf(args.get(0))));
            }
            if (intrinsic.get("Ref") instanceof String ref && PSEUDO_PARAMETERS.containsKey(ref)) {
                return PSEUDO_PARAMETERS.get(ref);
            }
        }
        return "x".repeat(REFERENCE_BYTES);
    }
}
