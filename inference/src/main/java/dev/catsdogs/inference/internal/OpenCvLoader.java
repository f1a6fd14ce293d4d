package dev.catsdogs.inference.internal;

import java.util.concurrent.atomic.AtomicInteger;
import nu.pattern.OpenCV;

/**
 * Loads the OpenCV natives bundled in {@code org.openpnp:opencv} exactly once per JVM.
 *
 * <p>{@code OpenCV.loadLocally()} extracts the shared library to a new temporary directory on every
 * call, so calling it per image would be slow and litter {@code /tmp}. Every class in this module
 * that touches OpenCV calls {@link #ensureLoaded()} first.
 */
public final class OpenCvLoader {

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
                OpenCV.loadLocally();
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

    /** Number of times the natives were actually loaded in this JVM (0 or 1). */
    static int loadCount() {
        return LOADS.get();
    }
}
