package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.local.LocalJson;
import java.io.IOException;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The AWS JSON 1.1 protocol's framing, as ECS and CloudWatch Logs use it: a POST naming its operation in
 * {@code X-Amz-Target: <prefix><Operation>}, with a JSON object body; a body that is not one is a
 * {@code SerializationException}.
 */
final class Json11Request {

    private Json11Request() {
    }

    /**
     * Empty when the request is not for the service of {@code targetPrefix}; otherwise what
     * {@code operations} answers for its operation and body, or the error its body earns.
     */
    static Optional<WireResponse> answer(WireRequest request, String targetPrefix,
                                         BiFunction<String, JsonNode, WireResponse> operations) {
        Optional<String> target = request.header("X-Amz-Target").filter(t -> t.startsWith(targetPrefix));
        if (target.isEmpty() || !"POST".equals(request.method())) {
            return Optional.empty();
        }
        JsonNode body;
        try {
            body = request.body().length == 0 ? LocalJson.MAPPER.createObjectNode() : LocalJson.tree(request.body());
        } catch (IOException e) {
            return Optional.of(EcsApi.error(400, "SerializationException", RequestLimits.describe(e)));
        }
        if (body == null || !body.isObject()) {
            return Optional.of(EcsApi.error(400, "SerializationException", "request body must be a JSON object"));
        }
        return Optional.of(operations.apply(target.get().substring(targetPrefix.length()), body));
    }

    /**
     * As {@link #answer}, for an API whose operations read their bodies into records ({@link WireBody}):
     * they get the body as it came, and answer a {@link WireBody.Refused} themselves.
     */
    static Optional<WireResponse> answerBody(WireRequest request, String targetPrefix,
                                             BiFunction<String, byte[], WireResponse> operations) {
        Optional<String> target = request.header("X-Amz-Target").filter(t -> t.startsWith(targetPrefix));
        if (target.isEmpty() || !"POST".equals(request.method())) {
            return Optional.empty();
        }
        return Optional.of(operations.apply(target.get().substring(targetPrefix.length()), request.body()));
    }
}
