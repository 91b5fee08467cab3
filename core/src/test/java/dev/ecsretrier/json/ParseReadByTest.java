package dev.ecsretrier.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Json#parseReadBy}: the fields a record does not have are parsed but never become plain
 * values, so reading them with unknown fields skipped is the same as reading everything.
 */
class ParseReadByTest {

    record Inner(Integer code, String note) {
    }

    record Outer(String name, Inner inner, List<Inner> items, Map<String, Inner> byName, Object anything,
                 Size size) {
    }

    /** A form: kept whole, its own record decides. */
    record Size(String cpu) implements JsonForm {
        static Size fromJson(Map<String, String> form) {
            return new Size(form.get("cpu"));
        }

        @Override
        public Object toJson() {
            return Map.of("cpu", cpu);
        }
    }

    private static Object parse(String json, Set<String> envelope) throws JsonProcessingException {
        return Json.parseReadBy(json.getBytes(StandardCharsets.UTF_8), Outer.class, envelope);
    }

    @Test
    void onlyTheFieldsTheRecordHas_becomePlainValues_atAnyDepth() throws JsonProcessingException {
        Object plain = parse("""
                {"kind": "k", "extra": {"deep": [1, 2]}, "name": "n",
                 "inner": {"code": 1, "added": {"x": 1}},
                 "items": [{"code": 2, "added": 3}, {"note": "b"}],
                 "byName": {"a": {"code": 4, "added": true}},
                 "anything": {"kept": {"whole": [1]}},
                 "size": {"cpu": "256", "extra": "x"}}""", Set.of("kind"));

        assertThat(plain).isEqualTo(Map.of("kind", "k", "name", "n", "inner", Map.of("code", 1),
                "items", List.of(Map.of("code", 2), Map.of("note", "b")),
                "byName", Map.of("a", Map.of("code", 4)),
                "anything", Map.of("kept", Map.of("whole", List.of(1))),
                "size", Map.of("cpu", "256", "extra", "x")));
    }

    @Test
    void malformedTextInASkippedField_isStillRefused() {
        assertThatThrownBy(() -> parse("{\"name\": \"n\", \"extra\": [1, }", Set.of()))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("expected a value");
    }

    @Test
    void aValueOfTheWrongShape_isKept_soTheBinderNamesWhatItGot() throws JsonProcessingException {
        Object plain = parse("{\"inner\": [1, 2], \"items\": {\"code\": 1}, \"name\": {\"a\": 1}}", Set.of());

        assertThatThrownBy(() -> JsonRecords.fromPlain(plain, Outer.class, JsonRecords.UnknownFields.SKIPPED))
                .isInstanceOf(JsonBindingException.class).hasMessage("name must be a string, got an object");
        assertThatThrownBy(() -> JsonRecords.fromPlain(Map.of("inner", ((Map<?, ?>) plain).get("inner")),
                Outer.class, JsonRecords.UnknownFields.SKIPPED))
                .hasMessage("inner must be an object, got an array");
        assertThatThrownBy(() -> JsonRecords.fromPlain(Map.of("items", ((Map<?, ?>) plain).get("items")),
                Outer.class, JsonRecords.UnknownFields.SKIPPED))
                .hasMessage("items must be an array, got an object");
    }

    @Test
    void whatIsKept_isWhatParseGives_nullsNumbersAndOrderIncluded() throws JsonProcessingException {
        String json = "{\"name\": null, \"anything\": [2.70, 12345678901, null, false], \"inner\": {\"note\": \"x\", \"code\": 7}}";

        Object plain = parse(json, Set.of());

        assertThat(plain).isEqualTo(Json.parse(json));
        assertThat(((List<?>) ((Map<?, ?>) plain).get("anything")).get(0)).isEqualTo(new BigDecimal("2.70"));
        assertThat(Json.write(plain)).isEqualTo(Json.write(Json.parse(json)));
    }

    @Test
    void aRootThatIsNotAnObject_staysWhatItIs() throws JsonProcessingException {
        assertThat(parse("\"text\"", Set.of())).isEqualTo("text");
        assertThat(parse("[1, 2]", Set.of())).isInstanceOf(List.class);
        assertThatThrownBy(() -> parse("", Set.of())).isInstanceOf(JsonProcessingException.class);
    }
}
