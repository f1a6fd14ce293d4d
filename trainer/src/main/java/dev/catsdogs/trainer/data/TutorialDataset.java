package dev.catsdogs.trainer.data;

import dev.catsdogs.inference.internal.Sha256;
import dev.catsdogs.trainer.io.Downloader;
import dev.catsdogs.trainer.io.FileTrees;
import dev.catsdogs.trainer.io.SafeUnzip;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The TensorFlow transfer-learning tutorial's {@code cats_and_dogs_filtered} set, used when no
 * {@code --data} directory is given: the zip is downloaded once into {@code <cache
 * root>/datasets/<name>-<hash of URL>/}, extracted there with {@link SafeUnzip}, and the extracted
 * {@code cats_and_dogs_filtered/} directory is returned.
 *
 * <p>The official SHA-256 of the zip is not known here, so the download is trusted on first use
 * (see {@link Downloader}), and the extracted layout is checked instead: it must have {@code
 * train/} and {@code validation/}, each with {@code cats/} and {@code dogs/}. The extraction is
 * keyed by the zip's hash, so a changed zip is extracted afresh. Every failure (offline, HTTP
 * error, refused archive, wrong layout) throws an {@link IOException} whose message ends with
 * {@link #ADVICE}.
 */
public final class TutorialDataset {

    /** The zip the TensorFlow tutorial downloads. */
    public static final URI DEFAULT_URL =
            URI.create("https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip");

    /** The top directory inside the zip. */
    public static final String DIR_NAME = "cats_and_dogs_filtered";

    /** What every failure message ends with. */
    public static final String ADVICE =
            "Pass --data DIR to use a copy on disk instead, e.g."
                    + " --data ../shared/data/cats_and_dogs_filtered";

    private static final List<String> CLASSES = List.of("cats", "dogs");
    private static final String EXTRACTED_PREFIX = "extracted-";

    private final URI url;
    private final Path cacheRoot;
    private final String expectedSha256;
    private final Downloader downloader;
    private final SafeUnzip unzip;

    private TutorialDataset(Builder builder) {
        this.url = builder.url;
        this.cacheRoot =
                builder.cacheRoot != null ? builder.cacheRoot : Downloader.defaultCacheRoot();
        this.expectedSha256 = builder.expectedSha256;
        this.downloader =
                builder.downloader != null ? builder.downloader : Downloader.builder().build();
        this.unzip = builder.unzip != null ? builder.unzip : SafeUnzip.withDefaults();
    }

    /**
     * Returns a builder with the defaults: {@link #DEFAULT_URL}, {@link
     * Downloader#defaultCacheRoot()}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The zip's URL. */
    public URI url() {
        return url;
    }

    /** Where the zip and its extraction are cached. */
    public Path cacheDir() {
        String stem = zipStem();
        byte[] urlHash = Sha256.newDigest().digest(url.toString().getBytes(StandardCharsets.UTF_8));
        return cacheRoot
                .resolve("datasets")
                .resolve(stem + "-" + HexFormat.of().formatHex(urlHash, 0, 4));
    }

    /**
     * Downloads and extracts the set unless cached, and returns its directory.
     *
     * @return the {@code cats_and_dogs_filtered} directory, in the split layout
     * @throws IOException if it cannot be downloaded, extracted or validated; the message says why
     *     and ends with {@link #ADVICE}
     */
    public Path resolve() throws IOException {
        Path dir = cacheDir();
        Path zip;
        try {
            zip = downloader.fetch(url, dir, expectedSha256);
        } catch (IOException e) {
            throw failure("Cannot get the tutorial dataset: " + e.getMessage(), e);
        }
        boolean cached = zip.toAbsolutePath().startsWith(dir.toAbsolutePath());
        String sha = Sha256.readSidecar(zip);
        if (sha == null || !cached) {
            sha = Sha256.of(zip);
        }
        Path extracted = dir.resolve(EXTRACTED_PREFIX + sha.substring(0, 16));
        try {
            if (!Files.isDirectory(extracted)) {
                extract(zip, extracted);
                deleteOtherExtractions(dir, extracted);
            }
            return validate(extracted.resolve(DIR_NAME));
        } catch (IOException e) {
            if (cached) {
                // Forget the download, so that a fixed file on the server is trusted next time.
                Files.deleteIfExists(zip);
                Files.deleteIfExists(Sha256.sidecarOf(zip));
                FileTrees.deleteRecursively(extracted);
            }
            throw failure(e.getMessage(), e);
        }
    }

    private void extract(Path zip, Path extracted) throws IOException {
        try {
            unzip.extract(zip, extracted);
        } catch (FileAlreadyExistsException e) {
            // Another process extracted the same zip meanwhile: use its result.
        }
    }

    private Path validate(Path data) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String split : List.of(Split.TRAIN.dirName(), Split.VALIDATION.dirName())) {
            for (String name : CLASSES) {
                Path classDir = data.resolve(split).resolve(name);
                if (!Files.isDirectory(classDir)) {
                    missing.add(DIR_NAME + "/" + split + "/" + name + "/");
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException(
                    "The archive from "
                            + url
                            + " does not have the tutorial's layout:"
                            + " missing "
                            + String.join(", ", missing));
        }
        return data;
    }

    private static void deleteOtherExtractions(Path dir, Path keep) throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, EXTRACTED_PREFIX + "*")) {
            for (Path path : old) {
                if (!path.equals(keep)) {
                    FileTrees.deleteRecursively(path);
                }
            }
        }
    }

    private static IOException failure(String message, IOException cause) {
        return new IOException(message + ". " + ADVICE, cause);
    }

    private String zipStem() {
        String path = Objects.toString(url.getPath(), "");
        String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        if (last.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            last = last.substring(0, last.length() - 4);
        }
        return last.isEmpty() || last.startsWith(".") ? "dataset" : last;
    }

    /** Builder of {@link TutorialDataset}; every option has a default. */
    public static final class Builder {
        private URI url = DEFAULT_URL;
        private Path cacheRoot;
        private String expectedSha256;
        private Downloader downloader;
        private SafeUnzip unzip;

        private Builder() {}

        /** The zip's URL (the CLI's {@code --data-url}); default {@link #DEFAULT_URL}. */
        public Builder optUrl(URI url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /** The cache root; default {@link Downloader#defaultCacheRoot()}. */
        public Builder optCacheRoot(Path cacheRoot) {
            this.cacheRoot = Objects.requireNonNull(cacheRoot, "cacheRoot");
            return this;
        }

        /** The zip's SHA-256, when known; default none (trust on first use). */
        public Builder optExpectedSha256(String sha256) {
            this.expectedSha256 = Sha256.normalize(sha256);
            return this;
        }

        /** The downloader (timeouts, progress); default {@code Downloader.builder().build()}. */
        public Builder optDownloader(Downloader downloader) {
            this.downloader = Objects.requireNonNull(downloader, "downloader");
            return this;
        }

        /** The extractor (limits); default {@link SafeUnzip#withDefaults()}. */
        public Builder optUnzip(SafeUnzip unzip) {
            this.unzip = Objects.requireNonNull(unzip, "unzip");
            return this;
        }

        /** Builds it; nothing is downloaded before {@link TutorialDataset#resolve()}. */
        public TutorialDataset build() {
            return new TutorialDataset(this);
        }
    }
}
