package dev.ecsretrier.core;

/** How a backoff delay is randomized ("Exponential Backoff and Jitter", AWS Architecture Blog). */
public enum Jitter {
    /** uniform in [0, delay] */
    FULL,
    /** delay/2 + uniform in [0, delay/2] */
    EQUAL,
    /** exactly the delay */
    NONE
}
