package dev.ecsretrier.local.serve;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP answer of an {@link AwsApi}: status, content type, extra headers and body. */
record WireResponse(int status, String contentType, Map<String, String> headers, byte[] body) {

    WireResponse {
        headers = Map.copyOf(headers);
    }

    static WireResponse of(int status, String contentType, String body) {
        return new WireResponse(status, contentType, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    static WireResponse of(int status, String contentType, Map<String, String> headers, String body) {
        return new WireResponse(status, contentType, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
