package dev.catsdogs.inference.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SHA-256 digests as lower-case hex strings, and the {@code <file>.sha256} sidecar files: the one
 * implementation for the library, the trainer and the Spark module.
 */
public final class Sha256 {

    /** Suffix of a sidecar file that records the digest of the file it is named after. */
    public static final String SIDECAR_SUFFIX = ".sha256";

    private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {}

    /** Returns a new SHA-256 {@link MessageDigest}. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
    }

    /** Lower-case hex of a finished digest. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /**
     * Hashes a file.
     *
     * @param file the file
     * @return its SHA-256, 64 lower-case hex digits
     * @throws IOException if the file cannot be read
     */
    public static String of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return hex(digest);
    }

    /**
     * Checks and normalizes a hash given by a user or a constant: trims it and lower-cases it.
     *
     * @param sha256 64 hex digits, any case
     * @return the lower-case form
     * @throws IllegalArgumentException if it is not 64 hex digits; the message echoes it
     */
    public static String normalize(String sha256) {
        String normalized = sha256.trim().toLowerCase(Locale.ROOT);
        if (!HEX_64.matcher(normalized).matches()) {
            throw Arguments.received("sha256", sha256, "a SHA-256 of 64 hex digits");
        }
        return normalized;
    }

    /** The sidecar of {@code file}: {@code <file>.sha256} in the same directory. */
    public static Path sidecarOf(Path file) {
        return file.resolveSibling(file.getFileName() + SIDECAR_SUFFIX);
    }

    /**
     * Reads the digest recorded in the sidecar of {@code file}.
     *
     * @param file the file whose sidecar to read
     * @return the recorded digest, or {@code null} if there is no sidecar or it does not hold one
     * @throws IOException if the sidecar exists but cannot be read
     */
    public static String readSidecar(Path file) throws IOException {
        Path sidecar = sidecarOf(file);
        if (!Files.isRegularFile(sidecar)) {
            return null;
        }
        // Accept the `sha256sum` format too: "<hex>  <name>".
        String content = Files.readString(sidecar).trim();
        String first =
                content.isEmpty() ? "" : content.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        return HEX_64.matcher(first).matches() ? first : null;
    }

    /**
     * Records {@code sha256} in the sidecar of {@code file}, atomically, in the format of {@code
     * sha256sum} so that {@code sha256sum -c} can check it.
     *
     * @param file the file the digest belongs to
     * @param sha256 its digest
     * @throws IOException if the sidecar cannot be written
     */
    public static void writeSidecar(Path file, String sha256) throws IOException {
        AtomicFiles.writeString(sidecarOf(file), sha256 + "  " + file.getFileName() + "\n");
    }
}
