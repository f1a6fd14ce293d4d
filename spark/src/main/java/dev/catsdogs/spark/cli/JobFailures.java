package dev.catsdogs.spark.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /**
     * Control characters as {@code \n} or {@code \}{@code uXXXX}: a file name in a message may hold
     * a newline (a second, fake line) or an escape sequence (which the terminal would run).
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints()
                .forEach(
                        c -> {
                            if (c == '\n') {
                                out.append("\\n");
                            } else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                                out.append(String.format(Locale.ROOT, "\\u%04x", c));
                            } else {
                                out.appendCodePoint(c);
                            }
                        });
        return out.toString();
    }
}
