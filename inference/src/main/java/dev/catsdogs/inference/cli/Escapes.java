package dev.catsdogs.inference.cli;

import java.util.Locale;

/** Makes text from file names safe to print on one terminal line. */
final class Escapes {

    private Escapes() {}

    /**
     * Control characters as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}: a file
     * name may hold a newline (which would fake a table row) or an escape sequence (which the
     * terminal would run). Everything else, non-ASCII letters included, is kept.
     */
    static String controls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (!control) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }
}
