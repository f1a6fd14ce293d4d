package dev.catsdogs.inference.internal;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}, e.g. code that writes to an {@link
 * java.io.OutputStream}.
 *
 * @param <T> the type of the consumed value
 */
@FunctionalInterface
public interface IOConsumer<T> {

    /**
     * Consumes {@code value}.
     *
     * @param value the value
     * @throws IOException if writing or reading fails
     */
    void accept(T value) throws IOException;
}
