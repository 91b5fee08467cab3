package dev.ecsretrier.local.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as the endpoint read it, for the {@link AwsApi}s to answer.
 *
 * @param rawPath  the path, still percent-encoded
 * @param rawQuery the query string, still percent-encoded; empty when there is none
 * @param headers  by lower-case name
 */
record WireRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {

    WireRequest {
        rawQuery = rawQuery == null ? "" : rawQuery;
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(values)));
        headers = Map.copyOf(lower);
    }

    Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The query string's parameters, decoded; the first value of each name. */
    Map<String, String> query() {
        return form(rawQuery);
    }

    /** {@code application/x-www-form-urlencoded} text, decoded; the first value of each name. */
    static Map<String, String> form(String encoded) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }
}
