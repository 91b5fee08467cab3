package dev.ecsretrier.local.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --wait SECONDS} of the commands that watch a run to its end ({@code run}, {@code demo},
 * {@code start --follow}): a whole number of seconds, 1 or more. Picocli names the option and the
 * value around the message, as for its own conversions.
 */
final class WaitSeconds implements ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        int seconds;
        try {
            seconds = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not an int");
        }
        if (seconds < 1) {
            throw new TypeConversionException("'" + value + "' is not 1 second or more");
        }
        return seconds;
    }
}
