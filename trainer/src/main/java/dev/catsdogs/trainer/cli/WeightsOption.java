package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.io.Downloader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resolves {@code --weights PATH|URL}: a URL is downloaded once into the cache, with a SHA-256
 * check.
 */
final class WeightsOption {

    private WeightsOption() {}

    static Path resolve(String weights, String sha256) throws IOException {
        return resolve(weights, sha256, Downloader.defaultCacheRoot());
    }

    /** As {@link #resolve(String, String)}, downloading into {@code cacheRoot/weights}. */
    static Path resolve(String weights, String sha256, Path cacheRoot) throws IOException {
        if (weights == null) {
            return Installation.defaultWeights();
        }
        if (isUrl(weights)) {
            return Downloader.builder()
                    .build()
                    .fetch(weights, cacheRoot.resolve("weights"), sha256);
        }
        Path path = Path.of(weights);
        if (!Files.isRegularFile(path)) {
            throw new IOException(
                    path + ": weight file not found (--weights takes an .onnx file or a URL)");
        }
        return path;
    }

    /** Whether {@code --weights} names a URL to download rather than a local file. */
    static boolean isUrl(String weights) {
        String lower = weights.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://")
                || lower.startsWith("https://")
                || lower.startsWith("file:");
    }
}
