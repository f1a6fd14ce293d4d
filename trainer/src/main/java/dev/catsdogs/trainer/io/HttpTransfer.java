package dev.catsdogs.trainer.io;

import dev.catsdogs.inference.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One HTTP(S) GET into a file, for {@link Downloader}: connect and read timeouts, redirects
 * followed by hand (at most {@code maxRedirects}, never from HTTPS to HTTP), the body hashed while
 * it streams, a progress bar on stderr, a check that the whole Content-Length arrived, and network
 * failures turned into messages that name the URL and say what went wrong.
 */
final class HttpTransfer {

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxRedirects;
    private final boolean showProgress;

    HttpTransfer(
            Duration connectTimeout, Duration readTimeout, int maxRedirects, boolean showProgress) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxRedirects = maxRedirects;
        this.showProgress = showProgress;
    }

    /**
     * Streams {@code url} into {@code part}, following redirects.
     *
     * @return the SHA-256 of the body
     * @throws IOException naming {@code url} if it cannot be downloaded completely
     */
    String download(URI url, Path part, String displayName) throws IOException {
        URI current = url;
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection connection = open(url, current);
            try {
                int code = responseCode(url, current, connection);
                if (isRedirect(code)) {
                    if (redirects >= maxRedirects) {
                        throw new IOException(
                                "Cannot download "
                                        + url
                                        + ": more than "
                                        + maxRedirects
                                        + " redirects (last to "
                                        + current
                                        + ")");
                    }
                    current = redirectTarget(url, current, connection.getHeaderField("Location"));
                    continue;
                }
                if (code != HttpURLConnection.HTTP_OK) {
                    throw new IOException(
                            "Cannot download "
                                    + url
                                    + ": HTTP "
                                    + code
                                    + " "
                                    + Objects.toString(connection.getResponseMessage(), "")
                                    + (current.equals(url) ? "" : " (from " + current + ")"));
                }
                return copyBody(url, current, connection, part, displayName);
            } finally {
                connection.disconnect();
            }
        }
    }

    private HttpURLConnection open(URI url, URI current) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) current.toURL().openConnection();
        connection.setInstanceFollowRedirects(false);
        connection.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
        connection.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
        connection.setRequestProperty("Accept-Encoding", "identity");
        connection.setRequestProperty("User-Agent", "catsdogs-trainer");
        return connection;
    }

    private int responseCode(URI url, URI current, HttpURLConnection connection)
            throws IOException {
        try {
            return connection.getResponseCode();
        } catch (IOException e) {
            throw unreachable(url, current, e);
        }
    }

    /** A network failure while talking to {@code current} (where {@code url} redirected). */
    private IOException unreachable(URI url, URI current, IOException e) {
        String reason;
        if (e instanceof UnknownHostException) {
            reason = "unknown host " + current.getHost() + " (offline, or no DNS?)";
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            reason =
                    "cannot connect to "
                            + current.getHost()
                            + (current.getPort() < 0 ? "" : ":" + current.getPort())
                            + " ("
                            + e.getMessage()
                            + "; offline, or the server is down?)";
        } else if (e instanceof SocketTimeoutException) {
            reason =
                    "timed out (connect timeout "
                            + connectTimeout.toSeconds()
                            + " s, read timeout "
                            + readTimeout.toSeconds()
                            + " s)";
        } else {
            reason = e.toString();
        }
        return new IOException("Cannot download " + url + ": " + reason, e);
    }

    private static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    private static URI redirectTarget(URI url, URI current, String location) throws IOException {
        if (location == null || location.isBlank()) {
            throw new IOException(
                    "Cannot download "
                            + url
                            + ": redirect from "
                            + current
                            + " without a Location header");
        }
        URI next;
        try {
            next = current.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException(
                    "Cannot download "
                            + url
                            + ": invalid redirect Location `"
                            + location
                            + "` from "
                            + current,
                    e);
        }
        String scheme = Objects.toString(next.getScheme(), "").toLowerCase(Locale.ROOT);
        boolean downgrade = "https".equalsIgnoreCase(current.getScheme()) && scheme.equals("http");
        if (!(scheme.equals("http") || scheme.equals("https")) || downgrade) {
            throw new IOException(
                    "Cannot download "
                            + url
                            + ": refusing redirect from "
                            + current
                            + " to "
                            + next);
        }
        return next;
    }

    private String copyBody(
            URI url, URI current, HttpURLConnection connection, Path part, String displayName)
            throws IOException {
        long length = connection.getContentLengthLong();
        MessageDigest digest = Sha256.newDigest();
        long copied = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = connection.getInputStream();
                OutputStream out = Files.newOutputStream(part);
                ProgressBar progress = showProgress ? progressBar(displayName, length) : null) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                copied += n;
                if (progress != null) {
                    progress.stepBy(n);
                }
            }
        } catch (IOException e) {
            throw unreachable(url, current, e);
        }
        if (length >= 0 && copied != length) {
            throw new IOException(
                    "Cannot download "
                            + url
                            + ": the connection ended after "
                            + copied
                            + " of "
                            + length
                            + " bytes");
        }
        return Sha256.hex(digest);
    }

    private static ProgressBar progressBar(String displayName, long length) {
        // Plain ASCII without a console (CI logs, redirected stderr): no colour escapes.
        return new ProgressBarBuilder()
                .setStyle(
                        System.console() == null
                                ? ProgressBarStyle.ASCII
                                : ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setTaskName(displayName)
                .setInitialMax(length >= 0 ? length : -1)
                .setUnit("MiB", 1 << 20)
                .showSpeed()
                .build();
    }
}
