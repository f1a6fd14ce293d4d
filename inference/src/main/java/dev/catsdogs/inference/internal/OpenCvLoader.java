package dev.catsdogs.inference.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import nu.pattern.OpenCV;
import org.opencv.core.Core;

/**
 * Loads the OpenCV natives bundled in {@code org.openpnp:opencv} exactly once per JVM, from the
 * {@link NativeCache}.
 *
 * <p>openpnp's own {@code OpenCV.loadLocally()} copies the 65 MB library to a new directory in
 * {@code java.io.tmpdir} on every call and deletes it only at a normal exit, so a killed process
 * left it there; it is the fallback for when the cache cannot be written. Every class in this
 * module that touches OpenCV calls {@link #ensureLoaded()} first.
 */
public final class OpenCvLoader {

    private static final System.Logger LOG = System.getLogger(OpenCvLoader.class.getName());
    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    // How many times the natives were really loaded; tests assert it never exceeds 1.
    private static final AtomicInteger LOADS = new AtomicInteger();

    private OpenCvLoader() {}

    /**
     * Loads the OpenCV natives if this JVM has not loaded them yet. Idempotent and thread-safe;
     * cheap after the first call (one volatile read).
     *
     * @throws IllegalStateException if the native library cannot be loaded on this OS/architecture
     */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            try {
                load();
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException(
                        "Could not load the OpenCV native library from org.openpnp:opencv for "
                                + System.getProperty("os.name")
                                + "/"
                                + System.getProperty("os.arch")
                                + ": "
                                + e,
                        e);
            }
            LOADS.incrementAndGet();
            loaded = true;
        }
    }

    private static void load() {
        String folder = folder();
        // System.load binds a library to its caller's class loader, so this class can load OpenCV
        // only for OpenCV classes of its own loader. Where they have another (a Spark executor
        // with OpenCV on its class path and this library from spark.jars), openpnp's loader, in
        // OpenCV's jar, does it.
        boolean sameLoader = Core.class.getClassLoader() == OpenCvLoader.class.getClassLoader();
        if (folder != null && sameLoader) {
            String library = System.mapLibraryName(Core.NATIVE_LIBRARY_NAME);
            try {
                Optional<Path> directory = NativeCache.forUser().directoryOf(folder + library);
                if (directory.isPresent()) {
                    System.load(directory.get().resolve(library).toString());
                    return;
                }
            } catch (IOException e) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "OpenCV's natives are copied to java.io.tmpdir by openpnp's loader: the"
                                + " native cache failed ("
                                + e
                                + "); -D"
                                + NativeCache.DIRECTORY_PROPERTY
                                + "=DIR picks a writable directory",
                        e);
            }
        }
        OpenCV.loadLocally(); // reports an unsupported platform itself
    }

    /**
     * openpnp's folder for this platform in its jar, e.g. {@code nu/pattern/opencv/linux/x86_64/}.
     */
    private static String folder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String openpnpOs =
                os.startsWith("mac os x")
                        ? "osx"
                        : os.startsWith("windows")
                                ? "windows"
                                : os.equals("linux") ? "linux" : null;
        String openpnpArch =
                switch (arch) {
                    case "amd64", "x86_64" -> "x86_64";
                    case "aarch64", "arm64" -> "ARMv8";
                    case "arm" -> "ARMv7";
                    case "x86", "i386", "i686" -> "x86_32";
                    default -> null;
                };
        return openpnpOs == null || openpnpArch == null
                ? null
                : "nu/pattern/opencv/" + openpnpOs + "/" + openpnpArch + "/";
    }

    /** Number of times the natives were actually loaded in this JVM (0 or 1). */
    static int loadCount() {
        return LOADS.get();
    }
}
