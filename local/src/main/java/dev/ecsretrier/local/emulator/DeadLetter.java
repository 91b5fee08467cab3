package dev.ecsretrier.local.emulator;

import java.time.Instant;
import java.util.Optional;

/**
 * An asynchronous invocation that failed every try: what Lambda sends to a function's
 * dead-letter queue. One JSON line each in the dead-letter file ({@code LocalLambda} writes it).
 *
 * @param function     the function's name ({@code classifier}, {@code starter})
 * @param event        the invocation payload as it was delivered
 * @param errorType    the last error's type
 * @param errorMessage the last error's message
 * @param attempts     how many times it was tried (3, as Lambda does)
 * @param requestId    the invocation's request id, which every try kept
 */
public record DeadLetter(String function, String event, String errorType, String errorMessage, int attempts,
                         Instant at, String requestId) {

    /** The run and attempt the payload was about, when it says. */
    public Optional<LaunchKey> launchKey() {
        return LaunchKey.of(event);
    }
}
