package dev.ecsretrier.core;

/** What an ended attempt means for its run. */
public enum Decision {
    SUCCEEDED, RETRY, FAILED, RETRIES_EXHAUSTED;

    public boolean terminal() {
        return this != RETRY;
    }
}
