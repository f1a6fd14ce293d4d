package dev.catsdogs.trainer.io;

import dev.catsdogs.inference.internal.Arguments;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Extracts a zip archive into a new directory, safely.
 *
 * <ul>
 *   <li>Zip-slip: every entry name is checked before anything is written; an absolute name ({@code
 *       /x}, {@code \x}, {@code C:x}) or one with a {@code ..} segment (even one that would stay
 *       inside) is refused with an {@link IOException} naming the entry, and then nothing at all
 *       has been extracted.
 *   <li>All or nothing: entries go to a hidden temporary directory beside the target ({@code
 *       .<target>.unzip-*}), which is renamed to the target only when every entry is written, and
 *       deleted on failure. An interrupted extraction never leaves a half-populated target (a
 *       killed JVM may leave the hidden temporary directory behind).
 *   <li>Zip bomb: at most {@link Builder#optMaxEntries} entries and {@link
 *       Builder#optMaxTotalBytes} uncompressed bytes; the byte limit is enforced on the bytes
 *       actually inflated, not only on the sizes the archive declares.
 * </ul>
 *
 * <p>An archive holding a symbolic link is refused, naming the entry (extracted as a file it would
 * stand where a folder was meant, and followed it could point anywhere). File permissions stored in
 * the archive are not restored: every entry becomes a regular file or a directory. Instances are
 * immutable and thread-safe.
 */
public final class SafeUnzip {

    /** Default most entries: 100,000 (Microsoft PetImages has about 25,000). */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    /** Default most uncompressed bytes: 4 GiB (PetImages is under 1 GiB). */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 4L << 30;

    private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:.*");

    private final int maxEntries;
    private final long maxTotalBytes;

    private SafeUnzip(Builder builder) {
        this.maxEntries = builder.maxEntries;
        this.maxTotalBytes = builder.maxTotalBytes;
    }

    /** Returns a builder with the default limits. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns an extractor with the default limits. */
    public static SafeUnzip withDefaults() {
        return builder().build();
    }

    /**
     * Extracts {@code zip} into {@code target}, which must not exist yet.
     *
     * @param zip the archive
     * @param target the directory to create; its parent is created if missing
     * @return {@code target}
     * @throws FileAlreadyExistsException if {@code target} exists
     * @throws IOException if the archive cannot be read, an entry is unsafe (named in the message),
     *     a limit is exceeded, or writing fails; {@code target} is then not created
     */
    public Path extract(Path zip, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        if (Files.exists(root)) {
            throw new FileAlreadyExistsException(
                    root.toString(), null, "cannot extract " + zip + " into an existing directory");
        }
        Path parent = root.getParent();
        Files.createDirectories(parent);
        try (ZipFile archive = open(zip)) {
            List<ZipEntry> entries = checkedEntries(zip, archive, root);
            refuseLinks(zip);
            Path staging = createStagingDirectory(root);
            boolean published = false;
            try {
                extractAll(zip, archive, entries, staging);
                Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
                published = true;
            } finally {
                if (!published) {
                    FileTrees.deleteRecursively(staging);
                }
            }
        }
        return target;
    }

    /**
     * A new hidden directory {@code .<target>.unzip-<random>} beside the target, with the default
     * permissions of new directories ({@link Files#createTempDirectory} would make it, and so the
     * published target, accessible to the owner only).
     */
    private static Path createStagingDirectory(Path root) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            try {
                return Files.createDirectory(
                        root.resolveSibling("." + root.getFileName() + ".unzip-" + random));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static ZipFile open(Path zip) throws IOException {
        try {
            return new ZipFile(zip.toFile());
        } catch (ZipException e) {
            throw new IOException(
                    "Not a readable zip archive: " + zip + " (" + e.getMessage() + ")", e);
        }
    }

    /** Validates names, entry count and declared sizes of all entries before extracting any. */
    private List<ZipEntry> checkedEntries(Path zip, ZipFile archive, Path root) throws IOException {
        List<ZipEntry> entries = new ArrayList<>();
        long declaredBytes = 0;
        Enumeration<? extends ZipEntry> all = archive.entries();
        while (all.hasMoreElements()) {
            ZipEntry entry = all.nextElement();
            if (entries.size() == maxEntries) {
                throw new IOException(
                        "Refusing to extract "
                                + zip
                                + ": more than "
                                + maxEntries
                                + " entries (zip bomb?)");
            }
            resolve(zip, root, entry.getName());
            if (entry.getSize() > 0) {
                declaredBytes += entry.getSize();
            }
            if (declaredBytes > maxTotalBytes) {
                throw tooLarge(zip);
            }
            entries.add(entry);
        }
        return entries;
    }

    // java.util.zip does not expose the Unix mode an entry was stored with; commons-compress does.
    private static void refuseLinks(Path zip) throws IOException {
        try (org.apache.commons.compress.archivers.zip.ZipFile archive =
                org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(zip).get()) {
            var entries = archive.getEntries();
            while (entries.hasMoreElements()) {
                var entry = entries.nextElement();
                if (entry.isUnixSymlink()) {
                    throw new IOException(
                            "Refusing to extract "
                                    + zip
                                    + ": entry `"
                                    + entry.getName()
                                    + "` is a symbolic link (links in archives are refused)");
                }
            }
        }
    }

    private void extractAll(Path zip, ZipFile archive, List<ZipEntry> entries, Path staging)
            throws IOException {
        long budget = maxTotalBytes;
        byte[] buffer = new byte[1 << 16];
        for (ZipEntry entry : entries) {
            Path destination = resolve(zip, staging, entry.getName());
            if (entry.isDirectory()) {
                Files.createDirectories(destination);
                continue;
            }
            Files.createDirectories(destination.getParent());
            try (InputStream in = archive.getInputStream(entry);
                    OutputStream out = Files.newOutputStream(destination)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    budget -= n;
                    if (budget < 0) {
                        throw tooLarge(zip);
                    }
                    out.write(buffer, 0, n);
                }
            } catch (ZipException e) {
                throw new IOException(
                        "Corrupt entry `" + entry.getName() + "` in " + zip + ": " + e.getMessage(),
                        e);
            }
        }
    }

    private IOException tooLarge(Path zip) {
        return new IOException(
                "Refusing to extract "
                        + zip
                        + ": more than "
                        + maxTotalBytes
                        + " uncompressed bytes (zip bomb?)");
    }

    /**
     * Where entry {@code name} goes below {@code root}.
     *
     * @throws IOException naming the entry if it is absolute or would land outside {@code root}
     */
    static Path resolve(Path zip, Path root, String name) throws IOException {
        String unsafe = "Refusing to extract " + zip + ": entry `" + name + "`";
        if (name.isEmpty()
                || name.startsWith("/")
                || name.startsWith("\\")
                || DRIVE_LETTER.matcher(name).matches()) {
            throw new IOException(unsafe + " has an absolute path");
        }
        for (String segment : name.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw new IOException(
                        unsafe
                                + " has a `..` segment (zip-slip: it could be written"
                                + " outside "
                                + root
                                + ")");
            }
        }
        Path resolved;
        try {
            resolved = root.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new IOException(unsafe + " is not a valid file name", e);
        }
        if (!resolved.startsWith(root) || resolved.equals(root) && !name.endsWith("/")) {
            throw new IOException(unsafe + " would be written outside " + root);
        }
        return resolved;
    }

    /** Builder of {@link SafeUnzip}. */
    public static final class Builder {
        private int maxEntries = DEFAULT_MAX_ENTRIES;
        private long maxTotalBytes = DEFAULT_MAX_TOTAL_BYTES;

        private Builder() {}

        /** Most entries (files and directories) an archive may have. */
        public Builder optMaxEntries(int maxEntries) {
            if (maxEntries < 1) {
                throw Arguments.received("maxEntries", maxEntries, ">= 1");
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /** Most uncompressed bytes an archive may extract to. */
        public Builder optMaxTotalBytes(long maxTotalBytes) {
            if (maxTotalBytes < 1) {
                throw Arguments.received("maxTotalBytes", maxTotalBytes, ">= 1");
            }
            this.maxTotalBytes = maxTotalBytes;
            return this;
        }

        /** Builds the extractor. */
        public SafeUnzip build() {
            return new SafeUnzip(this);
        }
    }
}
