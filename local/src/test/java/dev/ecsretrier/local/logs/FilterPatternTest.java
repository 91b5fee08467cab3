package dev.ecsretrier.local.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The subset of CloudWatch Logs' filter pattern syntax the local store matches, one rule per test. */
class FilterPatternTest {

    static final String DECISION = "{\"message\":\"attempt ended\",\"runId\":\"run-1\",\"attempt\":2,"
            + "\"decision\":{\"outcome\":\"RETRY\",\"delaySeconds\":60},\"containers\":[{\"name\":\"app\",\"exitCode\":2}],"
            + "\"cancelled\":false,\"rule\":null}";
    static final String TEXT = "[ERROR] classifier: could not read the event: detail.containers is missing";

    @Test
    void anEmptyPatternMatchesEveryEvent() {
        assertThat(FilterPattern.parse("").matches(TEXT)).isTrue();
        assertThat(FilterPattern.parse(null).matches(DECISION)).isTrue();
    }

    @Test
    void everyTermMustAppearCaseSensitively() {
        assertThat(FilterPattern.parse("ERROR classifier").matches(TEXT)).isTrue();
        assertThat(FilterPattern.parse("ERROR starter").matches(TEXT)).isFalse();
        assertThat(FilterPattern.parse("error").matches(TEXT)).isFalse();
    }

    @Test
    void aQuotedTermIsAnExactPhrase() {
        assertThat(FilterPattern.parse("\"could not read\"").matches(TEXT)).isTrue();
        assertThat(FilterPattern.parse("\"not could read\"").matches(TEXT)).isFalse();
    }

    @Test
    void questionMarkedTermsMatchAnyAndMinusExcludes() {
        assertThat(FilterPattern.parse("?WARN ?ERROR").matches(TEXT)).isTrue();
        assertThat(FilterPattern.parse("?WARN ?INFO").matches(TEXT)).isFalse();
        assertThat(FilterPattern.parse("ERROR -missing").matches(TEXT)).isFalse();
        assertThat(FilterPattern.parse("ERROR -starter").matches(TEXT)).isTrue();
    }

    @Test
    void aJsonPatternComparesAStringField() {
        assertThat(FilterPattern.parse("{ $.runId = \"run-1\" }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.runId = \"run-2\" }").matches(DECISION)).isFalse();
        assertThat(FilterPattern.parse("{ $.runId != \"run-2\" }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.runId = run-1 }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.message = \"attempt*\" }").matches(DECISION)).isTrue();
    }

    @Test
    void aJsonPatternReachesNestedFieldsAndArrayElements() {
        assertThat(FilterPattern.parse("{ $.decision.outcome = \"RETRY\" }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.containers[0].exitCode = 2 }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.containers[1].exitCode = 2 }").matches(DECISION)).isFalse();
    }

    @Test
    void aJsonPatternComparesNumbers() {
        assertThat(FilterPattern.parse("{ $.attempt > 1 }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.attempt >= 3 }").matches(DECISION)).isFalse();
        assertThat(FilterPattern.parse("{ $.decision.delaySeconds <= 60 }").matches(DECISION)).isTrue();
    }

    @Test
    void aJsonPatternCombinesWithAndOrAndParentheses() {
        assertThat(FilterPattern.parse("{ $.runId = \"run-1\" && $.attempt = 2 }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.runId = \"run-1\" && $.attempt = 3 }").matches(DECISION)).isFalse();
        assertThat(FilterPattern.parse("{ ($.attempt = 3 || $.attempt = 2) && $.runId = run-1 }").matches(DECISION))
                .isTrue();
    }

    @Test
    void aJsonPatternTestsBooleansNullsAndAbsentFields() {
        assertThat(FilterPattern.parse("{ $.cancelled IS FALSE }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.cancelled IS TRUE }").matches(DECISION)).isFalse();
        assertThat(FilterPattern.parse("{ $.rule IS NULL }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.job NOT EXISTS }").matches(DECISION)).isTrue();
        assertThat(FilterPattern.parse("{ $.runId NOT EXISTS }").matches(DECISION)).isFalse();
    }

    @Test
    void aJsonPatternNeverMatchesAnEventThatIsNotJson() {
        assertThat(FilterPattern.parse("{ $.message = \"*\" }").matches(TEXT)).isFalse();
    }

    @Test
    void patternsOutsideTheSubsetOrMalformedAreRefusedWithTheReason() {
        assertThatThrownBy(() -> FilterPattern.parse("[ip, user, status=404]"))
                .isInstanceOf(FilterPattern.UnsupportedPatternException.class).hasMessageContaining("space-delimited");
        assertThatThrownBy(() -> FilterPattern.parse("%ERR.R%"))
                .isInstanceOf(FilterPattern.UnsupportedPatternException.class).hasMessageContaining("regular-expression");
        assertThatThrownBy(() -> FilterPattern.parse("{ $.runId = }"))
                .isInstanceOf(FilterPattern.UnsupportedPatternException.class).hasMessageContaining("a value must follow =");
        assertThatThrownBy(() -> FilterPattern.parse("{ $.runId > \"a\" }"))
                .isInstanceOf(FilterPattern.UnsupportedPatternException.class).hasMessageContaining("compares numbers");
    }
}
