package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Unmodifiable copies that keep null elements: values read from JSON must reach the validation
 * that names the bad element, instead of failing inside {@code List.copyOf}.
 */
final class NullTolerantLists {

    private NullTolerantLists() {
    }

    static <T> List<T> copy(List<T> list) {
        return Collections.unmodifiableList(new ArrayList<>(list));
    }
}
