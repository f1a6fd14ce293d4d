package dev.catsdogs.inference.internal;

import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Not API. Loads JNA with its own native library ({@code libjnidispatch}) from the {@link
 * NativeCache} instead of a copy JNA unpacks per process: it sets {@code jna.boot.library.path} to
 * the cached copy and {@code jna.nounpack=true}, which JNA reads when its {@code Native} class
 * initializes. Every class of this module that uses JNA calls {@link #load()} first, which also
 * keeps the reason when JNA cannot load (JNA reports it only once, then "Could not initialize
 * class").
 *
 * <p>An application that sets {@code jna.boot.library.path} itself keeps its choice; one that used
 * JNA before this library did already has JNA loaded, and the properties change nothing.
 */
public final class JnaLoader {

    static final String BOOT_PATH_PROPERTY = "jna.boot.library.path";
    private static final System.Logger LOG = System.getLogger(JnaLoader.class.getName());
    private static boolean attempted;
    private static Throwable failure;

    private JnaLoader() {}

    /**
     * Loads JNA once per JVM (cheap afterwards).
     *
     * @return why JNA cannot be used here (its native library could not be loaded), or empty when
     *     it is loaded
     */
    public static synchronized Optional<Throwable> load() {
        if (!attempted) {
            attempted = true;
            useCachedLibrary();
            try {
                Class.forName("com.sun.jna.Native"); // loads libjnidispatch
            } catch (LinkageError | ClassNotFoundException e) {
                failure = e;
            }
        }
        return Optional.ofNullable(failure);
    }

    private static void useCachedLibrary() {
        if (System.getProperty(BOOT_PATH_PROPERTY) != null) {
            return; // the application's choice
        }
        // JNA's own resource layout: com/sun/jna/<platform>/libjnidispatch.so (.jnilib on macOS)
        String library =
                "com/sun/jna/"
                        + Platform.RESOURCE_PREFIX
                        + "/"
                        + System.mapLibraryName("jnidispatch").replace(".dylib", ".jnilib");
        try {
            Optional<Path> directory = NativeCache.forUser().directoryOf(library);
            if (directory.isPresent()) {
                System.setProperty(BOOT_PATH_PROPERTY, directory.get().toString());
                System.setProperty("jna.nounpack", "true");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "JNA unpacks its own copy of its native library: the native cache failed ("
                            + e
                            + "); -D"
                            + NativeCache.DIRECTORY_PROPERTY
                            + "=DIR picks a writable directory",
                    e);
        }
    }
}
