package dev.catsdogs.spark.cli;

import dev.catsdogs.inference.cli.Escapes;
import java.util.ArrayList;
import java.util.List;

/**
 * One line for a failure inside Spark. Spark wraps a task's failure in several layers whose
 * messages carry whole stack traces ("Job aborted due to stage failure: ... Driver stacktrace:");
 * the innermost cause with a message says what went wrong ("No space left on device").
 */
final class JobFailures {

    private JobFailures() {}

    /** The first line of the innermost message in {@code e}'s cause chain, printable. */
    static String describe(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            String message = chain.get(i).getMessage();
            if (message != null && !message.isBlank()) {
                return printable(message.strip().lines().findFirst().orElseThrow());
            }
        }
        return chain.get(chain.size() - 1).getClass().getSimpleName();
    }

    /** {@code text} on one safe line: control characters escaped, as every command prints them. */
    static String printable(String text) {
        return Escapes.controls(text);
    }
}
