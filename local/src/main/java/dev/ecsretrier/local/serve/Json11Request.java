package dev.ecsretrier.local.serve;

import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The AWS JSON 1.1 protocol's framing, as ECS and CloudWatch Logs use it: a POST naming its operation in
 * {@code X-Amz-Target: <prefix><Operation>}, with a JSON object body, which each operation reads into the
 * record of its shape ({@link WireBody}); a body that is not one is a {@code SerializationException}.
 */
final class Json11Request {

    private Json11Request() {
    }

    /**
     * Empty when the request is not for the service of {@code targetPrefix}; otherwise what
     * {@code operations} answers for its operation and body (the body as it came: the operation reads it
     * and answers a {@link WireBody.Refused} itself).
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
