package dev.ecsretrier.aws;

import java.util.function.Supplier;

/**
 * Builds a value the first time it is asked for, once: a handler that never schedules or notifies
 * in an invocation does not pay for those clients on its cold start.
 */
public final class OnFirstUse<T> implements Supplier<T> {

    private final Supplier<T> factory;
    private volatile T value;

    public OnFirstUse(Supplier<T> factory) {
        this.factory = factory;
    }

    @Override
    public T get() {
        T current = value;
        if (current == null) {
            synchronized (this) {
                current = value;
                if (current == null) {
                    current = factory.get();
                    value = current;
                }
            }
        }
        return current;
    }

    /** Whether the value has been built. */
    public boolean built() {
        return value != null;
    }
}
