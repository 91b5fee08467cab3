package dev.ecsretrier.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** jackson-databind trees of synthesized templates and test inputs. */
public final class TestJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private TestJson() {
    }

    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static JsonNode tree(InputStream json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
