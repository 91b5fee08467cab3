package dev.ecsretrier.local.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The subset of CloudWatch Logs' filter pattern syntax the local store matches
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 * <ul>
 *   <li>terms: {@code ERROR Exception} (every term), {@code "exact phrase"}, {@code ?ERROR ?WARN} (any),
 *       {@code -Exiting} (none of these); case-sensitive, matched anywhere in the message;</li>
 *   <li>JSON ({@code matching-terms-json-log-events.html}): {@code { $.field = "value" }} with
 *       {@code $.a.b} and {@code $.a[0]} selectors; {@code =} and {@code !=} on strings (with {@code *}
 *       wildcards) and numbers, {@code < > <= >=} on numbers, {@code IS TRUE}, {@code IS FALSE},
 *       {@code IS NULL}, {@code NOT EXISTS}; {@code &&}, {@code ||} and parentheses.</li>
 * </ul>
 * Space-delimited ({@code [w1, w2]}) and regular-expression ({@code %...%}) patterns are refused
 * with a message that says so.
 */
public final class FilterPattern {

    /** A pattern the local store does not match: CloudWatch Logs' InvalidParameterException locally. */
    public static final class UnsupportedPatternException extends IllegalArgumentException {
        UnsupportedPatternException(String message) {
            super(message);
        }
    }

    private final Predicate<String> matches;

    private FilterPattern(Predicate<String> matches) {
        this.matches = matches;
    }

    /** @throws UnsupportedPatternException for a pattern outside the subset, or malformed */
    public static FilterPattern parse(String pattern) {
        String text = pattern == null ? "" : pattern.trim();
        if (text.isEmpty()) {
            return new FilterPattern(message -> true);
        }
        if (text.startsWith("{")) {
            if (!text.endsWith("}")) {
                throw new UnsupportedPatternException("JSON filter pattern must end with '}': " + pattern);
            }
            Predicate<Object> json = new JsonParser(text.substring(1, text.length() - 1)).parseAll();
            return new FilterPattern(message -> {
                try {
                    // The message as plain JSON values (the functions' parser); only an object or an array is matched.
                    Object document = Json.parse(message);
                    return (document instanceof Map<?, ?> || document instanceof List<?>) && json.test(document);
                } catch (JsonProcessingException e) {
                    return false;
                }
            });
        }
        if (text.startsWith("[") || text.startsWith("%")) {
            throw new UnsupportedPatternException("space-delimited ([...]) and regular-expression (%...%) filter patterns"
                    + " are not matched locally; use terms or a JSON pattern { $.field = \"value\" }: " + pattern);
        }
        return new FilterPattern(terms(text));
    }

    public boolean matches(String message) {
        return matches.test(message);
    }

    private static Predicate<String> terms(String text) {
        List<String> all = new ArrayList<>();
        List<String> any = new ArrayList<>();
        List<String> none = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            List<String> into = all;
            if (c == '?' || c == '-') {
                into = c == '?' ? any : none;
                i++;
            }
            String term;
            if (i < text.length() && text.charAt(i) == '"') {
                int end = text.indexOf('"', i + 1);
                if (end < 0) {
                    throw new UnsupportedPatternException("unclosed quote in filter pattern: " + text);
                }
                term = text.substring(i + 1, end);
                i = end + 1;
            } else {
                int end = i;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
                term = text.substring(i, end);
                i = end;
            }
            if (!term.isEmpty()) {
                into.add(term);
            }
        }
        return message -> all.stream().allMatch(message::contains)
                && (any.isEmpty() || any.stream().anyMatch(message::contains))
                && none.stream().noneMatch(message::contains);
    }

    /** A recursive-descent parser of a JSON pattern's body: or := and ('||' and)*, and := unit ('&&' unit)*. */
    private static final class JsonParser {
        private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
        private final String text;
        private int at;

        /** What a selector finds where the message has no such field ({@code NOT EXISTS}). */
        private static final Object MISSING = new Object();

        JsonParser(String text) {
            this.text = text;
        }

        Predicate<Object> parseAll() {
            Predicate<Object> result = or();
            skipSpace();
            if (at != text.length()) {
                throw fail("unexpected '" + text.substring(at) + "'");
            }
            return result;
        }

        private Predicate<Object> or() {
            Predicate<Object> left = and();
            while (consume("||")) {
                left = left.or(and());
            }
            return left;
        }

        private Predicate<Object> and() {
            Predicate<Object> left = unit();
            while (consume("&&")) {
                left = left.and(unit());
            }
            return left;
        }

        private Predicate<Object> unit() {
            if (consume("(")) {
                Predicate<Object> inner = or();
                if (!consume(")")) {
                    throw fail("missing ')'");
                }
                return inner;
            }
            List<Object> path = selector();
            if (consumeWord("IS")) {
                if (consumeWord("TRUE")) {
                    return node -> Boolean.TRUE.equals(select(node, path));
                }
                if (consumeWord("FALSE")) {
                    return node -> Boolean.FALSE.equals(select(node, path));
                }
                if (consumeWord("NULL")) {
                    return node -> select(node, path) == null;
                }
                throw fail("IS must be followed by TRUE, FALSE or NULL");
            }
            if (consumeWord("NOT")) {
                if (!consumeWord("EXISTS")) {
                    throw fail("NOT must be followed by EXISTS");
                }
                return node -> select(node, path) == MISSING;
            }
            String operator = operator();
            skipSpace();
            String value;
            boolean quoted = at < text.length() && text.charAt(at) == '"';
            if (quoted) {
                int end = text.indexOf('"', at + 1);
                if (end < 0) {
                    throw fail("unclosed quote");
                }
                value = text.substring(at + 1, end);
                at = end + 1;
            } else {
                int start = at;
                while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && text.charAt(at) != ')'
                        && !text.startsWith("&&", at) && !text.startsWith("||", at)) {
                    at++;
                }
                value = text.substring(start, at);
                if (value.isEmpty()) {
                    throw fail("a value must follow " + operator);
                }
            }
            if (!quoted && NUMBER.matcher(value).matches()) {
                double number = Double.parseDouble(value);
                return node -> select(node, path) instanceof Number field
                        && compare(field.doubleValue(), operator, number);
            }
            if (!operator.equals("=") && !operator.equals("!=")) {
                throw fail(operator + " compares numbers; '" + value + "' is not one");
            }
            Pattern glob = Pattern.compile(Pattern.quote(value).replace("*", "\\E.*\\Q"), Pattern.DOTALL);
            boolean equals = operator.equals("=");
            return node -> {
                Object field = select(node, path);
                if (!(field instanceof String || field instanceof Number || field instanceof Boolean)) {
                    return false;
                }
                return glob.matcher(text(field)).matches() == equals;
            };
        }

        private static boolean compare(double field, String operator, double value) {
            return switch (operator) {
                case "=" -> field == value;
                case "!=" -> field != value;
                case "<" -> field < value;
                case "<=" -> field <= value;
                case ">" -> field > value;
                default -> field >= value;
            };
        }

        /** {@code $.a.b[0].c}: names and indexes. */
        private List<Object> selector() {
            skipSpace();
            if (!text.startsWith("$", at)) {
                throw fail("a selector ($.field) is expected");
            }
            at++;
            List<Object> path = new ArrayList<>();
            while (at < text.length()) {
                char c = text.charAt(at);
                if (c == '.') {
                    int start = ++at;
                    while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || "_-@".indexOf(text.charAt(at)) >= 0)) {
                        at++;
                    }
                    if (start == at) {
                        throw fail("a field name must follow '.'");
                    }
                    path.add(text.substring(start, at));
                } else if (c == '[') {
                    int end = text.indexOf(']', at);
                    if (end < 0) {
                        throw fail("missing ']'");
                    }
                    try {
                        path.add(Integer.parseInt(text.substring(at + 1, end).trim()));
                    } catch (NumberFormatException e) {
                        throw fail("an array index must be a number");
                    }
                    at = end + 1;
                } else {
                    break;
                }
            }
            if (path.isEmpty()) {
                throw fail("the selector names no field");
            }
            return path;
        }

        /** The value at {@code path}: a plain JSON value, null for JSON's null, {@link #MISSING} when there is none. */
        private static Object select(Object node, List<Object> path) {
            Object current = node;
            for (Object step : path) {
                if (step instanceof Integer index && current instanceof List<?> items && index >= 0 && index < items.size()) {
                    current = items.get(index);
                } else if (step instanceof String name && current instanceof Map<?, ?> fields && fields.containsKey(name)) {
                    current = fields.get(name);
                } else {
                    return MISSING;
                }
            }
            return current;
        }

        /** A scalar as the message has it: a number without a float's rounding ({@code 2.70}, not {@code 2.7}). */
        private static String text(Object scalar) {
            return scalar instanceof BigDecimal decimal ? decimal.toPlainString() : String.valueOf(scalar);
        }

        private String operator() {
            skipSpace();
            for (String operator : List.of("!=", "<=", ">=", "=", "<", ">")) {
                if (text.startsWith(operator, at)) {
                    at += operator.length();
                    return operator;
                }
            }
            throw fail("an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS) is expected");
        }

        private boolean consume(String token) {
            skipSpace();
            if (text.startsWith(token, at)) {
                at += token.length();
                return true;
            }
            return false;
        }

        private boolean consumeWord(String word) {
            skipSpace();
            if (text.regionMatches(true, at, word, 0, word.length())
                    && (at + word.length() == text.length() || !Character.isLetter(text.charAt(at + word.length())))) {
                at += word.length();
                return true;
            }
            return false;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private UnsupportedPatternException fail(String problem) {
            return new UnsupportedPatternException("JSON filter pattern { " + text.trim() + " } at " + at + ": " + problem);
        }
    }
}
