package dev.catsdogs.inference.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

/**
 * Not API. A per-user cache of the native libraries that ONNX Runtime, OpenCV and JNA carry in
 * their jars, so that they are extracted once, not copied to {@code /tmp} by every process.
 *
 * <p>A library folder of a jar ({@code ai/onnxruntime/native/linux-x64/}) is extracted into {@code
 * <root>/<sha256>/}, where the SHA-256 is taken over the folder's name and each library's name,
 * size and CRC-32 as the jar's central directory records them: known without inflating the 94 MB,
 * and different for every version of the libraries. The copy is written to a {@code .partial-*}
 * directory beside it, checked against the jar's sizes and CRC-32s, and renamed into place in one
 * step, so a reader never sees a torn copy and concurrent first starts do not collide (one rename
 * wins, the others use its copy). Every later process checks the sizes and CRC-32s again (about 20
 * to 60 ms for all three libraries) before it loads them: a damaged copy is replaced, never loaded.
 *
 * <p>The root is {@code -Dcatsdogs.native.cache=DIR}, else {@code $XDG_CACHE_HOME/catsdogs/native},
 * else {@code ~/.cache/catsdogs/native}. Nothing is written to {@code java.io.tmpdir}, so a {@code
 * noexec /tmp} does not matter and a process killed with SIGKILL leaves nothing behind there.
 */
public final class NativeCache {

    /** {@code -Dcatsdogs.native.cache=DIR}: where native libraries are extracted. */
    public static final String DIRECTORY_PROPERTY = "catsdogs.native.cache";

    private static final String PARTIAL_PREFIX = ".partial-";
    // A .partial-* directory this old is a copy whose process died (SIGKILL) while extracting.
    private static final Duration ABANDONED = Duration.ofHours(1);
    private static final System.Logger LOG = System.getLogger(NativeCache.class.getName());

    private final Path root;

    NativeCache(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** The cache of this user: {@link #DIRECTORY_PROPERTY}, {@code $XDG_CACHE_HOME} or home. */
    static NativeCache forUser() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new NativeCache(Path.of(configured));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base =
                xdg != null && Path.of(xdg).isAbsolute()
                        ? Path.of(xdg) // the XDG spec: a relative value is to be ignored
                        : Path.of(System.getProperty("user.home"), ".cache");
        return new NativeCache(base.resolve("catsdogs").resolve("native"));
    }

    /** The directory holding the cached copies. */
    Path root() {
        return root;
    }

    /**
     * A directory holding a verified copy of every native library in the class-path folder that
     * {@code library} lies in (its companions too: ONNX Runtime's JNI binding and providers),
     * extracted on first use.
     *
     * @param library a library's resource path, e.g. {@code
     *     ai/onnxruntime/native/linux-x64/libonnxruntime.so}
     * @return empty when the class path does not have {@code library} (a jar made for another
     *     platform) or does not hold it in a jar
     * @throws IOException when the cache cannot be written or the jar's copy is damaged; the
     *     message names the directory or the library
     */
    Optional<Path> directoryOf(String library) throws IOException {
        URL url = NativeCache.class.getClassLoader().getResource(library);
        if (url == null) {
            return Optional.empty();
        }
        URLConnection connection = url.openConnection();
        if (!(connection instanceof JarURLConnection jar)) {
            return Optional.empty(); // an unpacked folder: the library's own loader reads it there
        }
        String folder = library.substring(0, library.lastIndexOf('/') + 1);
        JarFile jarFile = jar.getJarFile(); // shared by the URL cache: not ours to close
        List<JarEntry> libraries = librariesIn(jarFile, folder);
        return Optional.of(directoryOf(jarFile, folder, libraries));
    }

    // Safe against other threads and processes without a lock: each writes its own .partial-*
    // directory, and the rename into place is atomic.
    private Path directoryOf(JarFile jar, String folder, List<JarEntry> libraries)
            throws IOException {
        Path target = root.resolve(key(folder, libraries));
        if (Files.isDirectory(target)) {
            if (holdsExactly(target, libraries)) {
                return target;
            }
            discard(target); // damaged since: replaced below, never loaded
        }
        Files.createDirectories(root);
        removeAbandonedPartials();
        Path partial = Files.createTempDirectory(root, PARTIAL_PREFIX);
        try {
            for (JarEntry entry : libraries) {
                extract(jar, entry, partial.resolve(fileName(entry)));
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                LOG.log(
                        System.Logger.Level.TRACE,
                        () -> "Extracted the native libraries of " + folder + " to " + target);
                return target;
            } catch (FileSystemException e) {
                // Another process renamed its copy into place first: use that one.
                if (holdsExactly(target, libraries)) {
                    return target;
                }
                throw new IOException(
                        "Could not put the native libraries of " + folder + " into " + target, e);
            }
        } finally {
            deleteTree(partial); // gone already after a successful rename
        }
    }

    /** The native libraries directly inside {@code folder} of the jar, in name order. */
    private static List<JarEntry> librariesIn(JarFile jar, String folder) {
        List<JarEntry> libraries = new ArrayList<>();
        jar.stream()
                .filter(e -> !e.isDirectory() && e.getName().startsWith(folder))
                .filter(e -> e.getName().indexOf('/', folder.length()) < 0) // not .dSYM bundles
                .filter(e -> isLibrary(fileName(e)))
                .sorted(Comparator.comparing(JarEntry::getName))
                .forEach(libraries::add);
        return libraries;
    }

    private static boolean isLibrary(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".so")
                || lower.contains(".so.")
                || lower.endsWith(".dylib")
                || lower.endsWith(".jnilib")
                || lower.endsWith(".dll");
    }

    private static String fileName(JarEntry entry) {
        return entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
    }

    /** SHA-256 of the folder and each library's name, size and CRC-32, in hex. */
    static String key(String folder, List<JarEntry> libraries) {
        StringBuilder manifest = new StringBuilder(folder).append('\n');
        for (JarEntry entry : libraries) {
            manifest.append(fileName(entry))
                    .append(' ')
                    .append(entry.getSize())
                    .append(' ')
                    .append(Long.toHexString(entry.getCrc()))
                    .append('\n');
        }
        return Sha256.of(manifest.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code dir} holds exactly these libraries, each of the jar's size and CRC-32. */
    private static boolean holdsExactly(Path dir, List<JarEntry> libraries) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            if (files.count() != libraries.size()) {
                return false;
            }
        }
        for (JarEntry entry : libraries) {
            Path file = dir.resolve(fileName(entry));
            if (!Files.isRegularFile(file)
                    || Files.size(file) != entry.getSize()
                    || crc32(file) != entry.getCrc()) {
                return false;
            }
        }
        return true;
    }

    private static long crc32(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            CRC32 crc = new CRC32();
            crc.update(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
            return crc.getValue();
        }
    }

    private static void extract(JarFile jar, JarEntry entry, Path file) throws IOException {
        long size;
        CRC32 crc = new CRC32();
        try (InputStream in = new CheckedInputStream(jar.getInputStream(entry), crc);
                OutputStream out = Files.newOutputStream(file)) {
            size = in.transferTo(out);
        }
        if (size != entry.getSize() || crc.getValue() != entry.getCrc()) {
            throw new IOException(
                    "The copy of "
                            + entry.getName()
                            + " from "
                            + jar.getName()
                            + " does not match the jar's own record (size "
                            + size
                            + " vs "
                            + entry.getSize()
                            + ", CRC-32 "
                            + Long.toHexString(crc.getValue())
                            + " vs "
                            + Long.toHexString(entry.getCrc())
                            + "); the jar is damaged");
        }
        if (!file.toFile().setReadOnly()) {
            throw new IOException("Could not make " + file + " read-only");
        }
    }

    /** Moves a damaged copy out of the way (atomically, so a concurrent reader never loads it). */
    private void discard(Path damaged) throws IOException {
        LOG.log(
                System.Logger.Level.DEBUG,
                () -> "The cached native libraries in " + damaged + " are damaged; replacing them");
        Path trash = Files.createTempDirectory(root, PARTIAL_PREFIX);
        try {
            Files.move(damaged, trash.resolve("damaged"), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            // another process discarded it first
        } finally {
            deleteTree(trash);
        }
    }

    private void removeAbandonedPartials() {
        FileTime cutoff = FileTime.from(Instant.now().minus(ABANDONED));
        try (DirectoryStream<Path> partials =
                Files.newDirectoryStream(root, PARTIAL_PREFIX + "*")) {
            for (Path partial : partials) {
                if (Files.getLastModifiedTime(partial).compareTo(cutoff) < 0) {
                    deleteTree(partial);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not clean " + root, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
