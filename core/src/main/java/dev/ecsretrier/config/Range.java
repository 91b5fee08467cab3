package dev.ecsretrier.config;

import java.math.BigDecimal;

/**
 * The values a numeric {@link Setting} accepts, both ends included: what the functions check, what the construct's
 * props check before anything is deployed, and what the CLI's help and docs/configuration.md state.
 */
public record Range(double min, double max, boolean whole) {

    public Range {
        if (!(min <= max)) {
            throw new IllegalArgumentException("a range's min (" + min + ") must not be above its max (" + max + ")");
        }
    }

    /** Whole numbers from {@code min} to {@code max}. */
    public static Range of(int min, int max) {
        return new Range(min, max, true);
    }

    /** Decimal numbers from {@code min} to {@code max}. */
    public static Range of(double min, double max) {
        return new Range(min, max, false);
    }

    public boolean contains(double value) {
        return value >= min && value <= max && (!whole || value == Math.rint(value));
    }

    public int minWhole() {
        return (int) min;
    }

    public int maxWhole() {
        return (int) max;
    }

    /** As people write it: {@code 1-10}, {@code 1.1-16}. */
    @Override
    public String toString() {
        return plain(min) + "-" + plain(max);
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
