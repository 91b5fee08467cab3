package dev.ecsretrier.core;

/** What an ended attempt means for its run; CANCELLED when a person cancelled the run ({@link RunCancellation}). */
public enum Decision {
    SUCCEEDED, RETRY, FAILED, RETRIES_EXHAUSTED, CANCELLED;

    public boolean terminal() {
        return this != RETRY;
    }
}
