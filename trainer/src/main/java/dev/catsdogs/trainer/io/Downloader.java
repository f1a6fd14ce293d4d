package dev.catsdogs.trainer.io;

import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.inference.internal.Sha256;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Downloads a URL once into a cache directory and checks it with SHA-256.
 *
 * <p>{@link #fetch(URI, Path, String)} names the cached file after the last segment of the URL
 * path. A download goes to a temporary {@code .part} file in the cache directory, is hashed while
 * it streams, and is renamed into place atomically only when it is complete and its hash is right,
 * so an interrupted download never leaves a file that looks cached.
 *
 * <p>Hash checking: with an expected hash, both the cached file and a fresh download must match it.
 * Without one (trust on first use), the hash of the first download is kept in a {@code
 * <file>.sha256} sidecar and the cached file is checked against it on every later use. A cached
 * file that fails its check is downloaded again, with a log line, and the new download must match
 * the same hash (as with SSH host keys, the first download is trusted, later ones are checked: to
 * accept a file that changed on the server, delete the sidecar). A cached file without a sidecar
 * (put there by hand, e.g. for an offline machine) is adopted and its sidecar written.
 *
 * <p>HTTP(S) redirects are followed (at most {@link Builder#optMaxRedirects}, never from HTTPS down
 * to HTTP). {@code file:} URIs and plain paths ({@link #fetch(String, Path, String)}) are not
 * copied into the cache: the local file is checked against the expected hash, if any, and returned
 * as is (and never deleted).
 *
 * <p>Instances are immutable and thread-safe; concurrent fetches of the same URL each download to
 * their own temporary file and the last rename wins, which is harmless since both are complete.
 */
public final class Downloader {

    /** Environment variable that overrides the default cache root. */
    public static final String CACHE_ENV = "CATSDOGS_CACHE";

    private static final System.Logger LOG = System.getLogger(Downloader.class.getName());
    private static final String PART_SUFFIX = ".part";
    private static final Duration STALE_PART_AGE = Duration.ofHours(1);

    private final HttpTransfer http;

    private Downloader(Builder builder) {
        this.http =
                new HttpTransfer(
                        builder.connectTimeout,
                        builder.readTimeout,
                        builder.maxRedirects,
                        builder.showProgress);
    }

    /**
     * Returns a builder with the defaults: 15 s connect, 60 s read timeout, 5 redirects, progress.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default cache root: {@code $CATSDOGS_CACHE} when set and not blank, otherwise {@code
     * ~/.cache/catsdogs}.
     */
    public static Path defaultCacheRoot() {
        return defaultCacheRoot(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultCacheRoot(Map<String, String> env, String userHome) {
        String fromEnv = env.get(CACHE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Paths.get(fromEnv.trim());
        }
        return Paths.get(userHome, ".cache", "catsdogs");
    }

    /**
     * Turns a location given on a command line into a URI: {@code http:}, {@code https:} and {@code
     * file:} URIs are taken as they are, anything else is a local path.
     *
     * @param location a URL or a path
     * @return the URI
     * @throws IllegalArgumentException if it is neither; the message echoes it
     */
    public static URI parseLocation(String location) {
        String trimmed = location.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://")
                || lower.startsWith("https://")
                || lower.startsWith("file:")) {
            try {
                return new URI(trimmed);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "Not a valid URL: `" + location + "`: " + e.getMessage(), e);
            }
        }
        try {
            return Paths.get(trimmed).toAbsolutePath().toUri();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("Neither a URL nor a path: `" + location + "`", e);
        }
    }

    /**
     * Same as {@link #fetch(URI, Path, String)} for a location parsed by {@link #parseLocation}.
     *
     * @param location an http(s) or file URL, or a local path
     * @param cacheDir the cache directory
     * @param expectedSha256 the expected SHA-256 in hex, or {@code null} for trust on first use
     * @return the local file
     * @throws IOException as {@link #fetch(URI, Path, String)}
     */
    public Path fetch(String location, Path cacheDir, String expectedSha256) throws IOException {
        return fetch(parseLocation(location), cacheDir, expectedSha256);
    }

    /**
     * Returns a verified local copy of {@code url}, downloading it into {@code cacheDir} only if
     * there is no cached copy that passes its hash check.
     *
     * @param url an {@code http}, {@code https} or {@code file} URI
     * @param cacheDir directory of the cached file, created if missing
     * @param expectedSha256 the expected SHA-256 in hex, or {@code null} for trust on first use
     * @return the cached file (or, for a {@code file:} URI, the file itself)
     * @throws IOException if the URL cannot be downloaded (offline, unreachable, HTTP error,
     *     timeout, truncated body) or does not match {@code expectedSha256}; the message names the
     *     URL and, for a mismatch, both hashes
     * @throws IllegalArgumentException for an unsupported scheme or a malformed hash
     */
    public Path fetch(URI url, Path cacheDir, String expectedSha256) throws IOException {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(cacheDir, "cacheDir");
        String expected = expectedSha256 == null ? null : Sha256.normalize(expectedSha256);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file":
                return checkLocal(url, expected);
            case "http":
            case "https":
                return fetchRemote(url, cacheDir, expected);
            default:
                throw new IllegalArgumentException(
                        "Unsupported URL scheme `"
                                + url.getScheme()
                                + "` in "
                                + url
                                + ": expected one of http, https, file");
        }
    }

    private static Path checkLocal(URI url, String expected) throws IOException {
        Path file = Paths.get(url);
        if (!Files.isRegularFile(file)) {
            throw new IOException("Not a readable file: " + file + " (from " + url + ")");
        }
        if (expected != null) {
            String actual = Sha256.of(file);
            if (!actual.equals(expected)) {
                throw new IOException(
                        "SHA-256 mismatch for "
                                + file
                                + ": expected "
                                + expected
                                + ", actual "
                                + actual
                                + " (the local file was left in place)");
            }
        }
        return file;
    }

    private Path fetchRemote(URI url, Path cacheDir, String expected) throws IOException {
        Files.createDirectories(cacheDir);
        Path target = cacheDir.resolve(fileNameOf(url));
        String recorded = Sha256.readSidecar(target);
        String wanted = expected != null ? expected : recorded;
        if (Files.isRegularFile(target) && cachedCopyIsGood(url, target, wanted, recorded)) {
            return target;
        }
        deleteStaleParts(cacheDir, target.getFileName().toString());
        Path part = AtomicFiles.createSibling(target, PART_SUFFIX);
        try {
            LOG.log(Level.INFO, "Downloading {0} to {1}", url, target);
            String actual = http.download(url, part, target.getFileName().toString());
            if (wanted != null && !wanted.equals(actual)) {
                throw new IOException(
                        expected != null
                                ? "SHA-256 mismatch for "
                                        + url
                                        + ": expected "
                                        + expected
                                        + ", actual "
                                        + actual
                                        + "; the download was deleted"
                                : "SHA-256 mismatch for "
                                        + url
                                        + ": expected "
                                        + wanted
                                        + " (recorded in "
                                        + Sha256.sidecarOf(target)
                                        + " on first download), actual "
                                        + actual
                                        + "; the download was deleted. If the file on the server"
                                        + " changed on purpose, delete that sidecar to accept the"
                                        + " new one");
            }
            // Sidecar first: a crash between the two renames leaves a sidecar without its file,
            // and the next fetch downloads the file again and checks it against that sidecar.
            Sha256.writeSidecar(target, actual);
            AtomicFiles.move(part, target);
            return target;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Checks a cached file against {@code wanted} (adopting it when there is nothing to check
     * against); deletes it and returns false when it fails.
     */
    private static boolean cachedCopyIsGood(URI url, Path target, String wanted, String recorded)
            throws IOException {
        String actual = Sha256.of(target);
        if (wanted == null) {
            LOG.log(
                    Level.INFO,
                    "Adopting cached {0} (no {1} sidecar), SHA-256 {2}",
                    target,
                    Sha256.SIDECAR_SUFFIX,
                    actual);
            Sha256.writeSidecar(target, actual);
            return true;
        }
        if (wanted.equals(actual)) {
            if (!actual.equals(recorded)) {
                Sha256.writeSidecar(target, actual);
            }
            return true;
        }
        LOG.log(
                Level.WARNING,
                "Cached {0} fails its SHA-256 check (expected {1}, actual {2});"
                        + " downloading {3} again",
                target,
                wanted,
                actual,
                url);
        Files.delete(target);
        return false;
    }

    /** Deletes {@code .<name>.*.part} files left by killed downloads (untouched for an hour). */
    private static void deleteStaleParts(Path cacheDir, String name) {
        Instant cutoff = Instant.now().minus(STALE_PART_AGE);
        // Safe as a glob: fileNameOf() leaves only letters, digits, '.', '-' and '_'.
        String glob = "." + name + ".*" + PART_SUFFIX;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(cacheDir, glob)) {
            for (Path part : parts) {
                if (Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(part);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Cannot clean stale downloads in " + cacheDir, e);
        }
    }

    /**
     * The cache file name for a URL: the last non-empty segment of its path, restricted to letters,
     * digits, '.', '-' and '_' (others become '_'); {@code download} if there is none.
     */
    static String fileNameOf(URI url) {
        String path = Objects.toString(url.getPath(), "");
        String last = "";
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                last = segment;
            }
        }
        String safe = last.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
            return "download";
        }
        return safe.startsWith(".") ? "_" + safe : safe;
    }

    /** Builder of {@link Downloader}; every option has a default. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration readTimeout = Duration.ofSeconds(60);
        private int maxRedirects = 5;
        private boolean showProgress = true;

        private Builder() {}

        /** Time allowed to open a connection (default 15 s). */
        public Builder optConnectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Longest wait for the next bytes of a response (default 60 s). */
        public Builder optReadTimeout(Duration timeout) {
            this.readTimeout = positive("readTimeout", timeout);
            return this;
        }

        /** Most redirects followed for one download (default 5). */
        public Builder optMaxRedirects(int maxRedirects) {
            if (maxRedirects < 0) {
                throw Arguments.received("maxRedirects", maxRedirects, ">= 0");
            }
            this.maxRedirects = maxRedirects;
            return this;
        }

        /** Whether downloads show a progress bar on stderr (default true). */
        public Builder optShowProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Builds the downloader. */
        public Downloader build() {
            return new Downloader(this);
        }

        private static Duration positive(String name, Duration timeout) {
            if (timeout == null
                    || timeout.isNegative()
                    || timeout.isZero()
                    || timeout.toMillis() > Integer.MAX_VALUE) {
                throw Arguments.received(name, timeout, "a positive duration below 24 days");
            }
            return timeout;
        }
    }
}
