package dev.ecsretrier.core;

/** What a user rule does when it matches. */
public enum Action {
    RETRY, FAIL, SUCCEED
}
