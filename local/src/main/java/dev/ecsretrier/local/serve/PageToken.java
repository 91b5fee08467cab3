package dev.ecsretrier.local.serve;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The opaque {@code nextToken} of the endpoint's list operations: where the next page starts. AWS
 * says to treat it as opaque, so clients only hand back what they were given.
 */
final class PageToken {

    private static final String PREFIX = "ecs-retrier-page:";

    private PageToken() {
    }

    static String of(int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** Where the page starts: 0 without a token; empty for a token this endpoint did not make. */
    static Optional<Integer> offset(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.of(0);
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX)) {
                return Optional.empty();
            }
            int offset = Integer.parseInt(text.substring(PREFIX.length()));
            return offset < 0 ? Optional.empty() : Optional.of(offset);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
