package dev.catsdogs.inference.internal;

import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Not API. Makes JNA load its own native library ({@code libjnidispatch}) from the {@link
 * NativeCache} instead of unpacking a copy per process: it sets {@code jna.boot.library.path} to
 * the cached copy and {@code jna.nounpack=true}, which JNA reads when its {@code Native} class
 * initializes. Every class of this module that uses JNA calls {@link #prepare()} first.
 *
 * <p>An application that sets {@code jna.boot.library.path} itself keeps its choice; one that used
 * JNA before this library did already has JNA loaded, and the properties change nothing.
 */
public final class JnaLoader {

    static final String BOOT_PATH_PROPERTY = "jna.boot.library.path";
    private static final System.Logger LOG = System.getLogger(JnaLoader.class.getName());
    private static boolean prepared;

    private JnaLoader() {}

    /** Points JNA at the cached library, once per JVM; cheap afterwards. */
    public static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
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
