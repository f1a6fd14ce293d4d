package dev.catsdogs.inference.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Makes text from file names safe to print on one terminal line; shared by every command. */
public final class Escapes {

    /**
     * Bidirectional controls: U+202E in a name shows {@code gpj.exe} as {@code exe.jpg}, so they
     * are printed escaped like control characters (implicit marks U+200E, U+200F and U+061C too).
     */
    private static final Set<Character> BIDI_CONTROLS =
            Set.of(
                    '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
                    '\u2066', '\u2067', '\u2068', '\u2069');

    private Escapes() {}

    /**
     * Control characters as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}: a file
     * name may hold a newline (which would fake a table row), an escape sequence (which the
     * terminal would run) or a bidirectional control (which reorders what is shown). Everything
     * else, non-ASCII letters included, is kept.
     */
    public static String controls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control =
                    Character.isISOControl(c)
                            || c == '\u2028'
                            || c == '\u2029'
                            || BIDI_CONTROLS.contains(c);
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

    /** A path as {@link #fileName} writes it, with {@link #controls} escaped: one safe line. */
    static String path(Path path) {
        return controls(fileName(path));
    }

    /**
     * The path as text that maps back to the file: a name whose bytes are not UTF-8 has each such
     * byte as {@code \xE9} (Java would show U+FFFD, the same for every byte, so two files would
     * print alike and neither could be found again).
     */
    static String fileName(Path path) {
        String text = path.toString();
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        if (path.isAbsolute()) {
            out.append('/');
        }
        for (int i = 0; i < path.getNameCount(); i++) {
            if (i > 0) {
                out.append('/');
            }
            appendUtf8OrHex(out, rawBytes(path.getName(i)));
        }
        return out.toString();
    }

    // The name's own bytes: a Path keeps them, and its URI percent-encodes them exactly.
    private static byte[] rawBytes(Path name) {
        String uri = name.toAbsolutePath().toUri().getRawPath();
        if (uri.endsWith("/")) { // a directory's URI ends with a slash
            uri = uri.substring(0, uri.length() - 1);
        }
        String segment = uri.substring(uri.lastIndexOf('/') + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length()) {
                bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c); // URI characters outside %XX are ASCII
            }
        }
        return bytes.toByteArray();
    }

    private static void appendUtf8OrHex(StringBuilder out, byte[] bytes) {
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(bytes.length + 1);
        while (true) {
            CoderResult result = decoder.decode(in, chars, true);
            chars.flip();
            out.append(chars);
            chars.clear();
            if (!result.isError()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                out.append(String.format(Locale.ROOT, "\\x%02X", in.get() & 0xff));
            }
        }
    }
}
