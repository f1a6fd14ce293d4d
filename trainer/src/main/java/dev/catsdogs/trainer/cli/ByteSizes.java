package dev.catsdogs.trainer.cli;

import java.util.Locale;

/** Parses sizes such as {@code 512m}, {@code 4g}, {@code 1048576}. */
final class ByteSizes {

    private ByteSizes() {}

    static long parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            default -> {}
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "Received size '" + text + "'; expected e.g. 512m, 4g or a byte count");
        }
    }
}
