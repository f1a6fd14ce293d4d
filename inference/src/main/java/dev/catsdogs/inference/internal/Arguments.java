package dev.catsdogs.inference.internal;

/**
 * The project's one wording for a bad argument value, as the trainer's configuration and every
 * command line word it: {@code Received NAME=VALUE; expected WHAT}. Returned, not thrown, so the
 * caller's {@code throw} shows the control flow and a valid value costs nothing (no boxing).
 */
public final class Arguments {

    private Arguments() {}

    /**
     * {@code Received name=value; expected expected}, e.g. {@code Received threads=0; expected >=
     * 1}.
     */
    public static IllegalArgumentException received(String name, Object value, String expected) {
        return new IllegalArgumentException(message(name, value, expected));
    }

    /** The message alone, for an exception type of its own. */
    public static String message(String name, Object value, String expected) {
        return "Received " + name + "=" + value + "; expected " + expected;
    }
}
