package dev.catsdogs.inference.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes the one JSON shape the metadata uses: a flat array of strings. Hand-written so
 * that apps embedding the library do not need a JSON library (gson is an optional, CLI-only
 * dependency). Not API.
 */
public final class JsonStrings {

    private JsonStrings() {}

    /** Formats {@code values} as a JSON array of strings, e.g. {@code ["cats","dogs"]}. */
    public static String format(List<String> values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? "" : ",").append('"');
            for (char c : values.get(i).toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default ->
                            out.append(
                                    c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : c);
                }
            }
            out.append('"');
        }
        return out.append(']').toString();
    }

    /**
     * Parses a JSON array of strings.
     *
     * @throws IllegalArgumentException saying where and what is wrong
     */
    public static List<String> parse(String json) {
        return new Parser(json).array();
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        List<String> array() {
            List<String> values = new ArrayList<>();
            skipSpace();
            expect('[');
            skipSpace();
            if (peek() == ']') {
                pos++;
            } else {
                while (true) {
                    skipSpace();
                    values.add(string());
                    skipSpace();
                    char c = next("',' or ']'");
                    if (c == ']') {
                        break;
                    }
                    if (c != ',') {
                        throw error("expected ',' or ']' but found '" + c + "'");
                    }
                }
            }
            skipSpace();
            if (pos != s.length()) {
                throw error("unexpected text after the array");
            }
            return values;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next("a closing '\"'");
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next("an escape character");
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("incomplete \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("invalid \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("invalid escape '\\" + e + "'");
                }
            }
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private char next(String expected) {
            if (pos >= s.length()) {
                throw error("text ends where " + expected + " was expected");
            }
            return s.charAt(pos++);
        }

        private void expect(char c) {
            char found = next("'" + c + "'");
            if (found != c) {
                pos--;
                throw error("expected '" + c + "' but found '" + found + "'");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(
                    "not a JSON array of strings: " + what + " at character " + pos);
        }
    }
}
