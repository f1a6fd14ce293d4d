package dev.catsdogs.inference.cli;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.catsdogs.inference.internal.JnaLoader;
import dev.catsdogs.inference.internal.ProcessEnvironment;

/**
 * The two C library calls the CLI needs and Java lacks, through JNA (already a dependency of the
 * module): whether stderr is a terminal, and setting an environment variable for native code.
 * Without a C library (Windows) both fall back: {@code System.console()}, and no change.
 */
final class Posix {

    private static final boolean AVAILABLE = register();

    private Posix() {}

    /**
     * Whether file descriptor 2 is a terminal. {@code System.console()} is not enough: it is null
     * as soon as stdout is redirected, even when the progress bar would be seen.
     */
    static boolean stderrIsTerminal() {
        return AVAILABLE ? isatty(2) == 1 : System.console() != null;
    }

    /**
     * Sets {@code name} in the process environment, read by native libraries through {@code
     * getenv}, unless the user has set it. Java's {@code System.getenv()} does not see the change.
     */
    static void setenvUnlessSet(String name, String value) {
        ProcessEnvironment.setUnlessSet(name, value);
    }

    private static boolean register() {
        if (JnaLoader.load().isPresent()) {
            return false;
        }
        try {
            Native.register(Posix.class, NativeLibrary.getInstance("c"));
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    private static native int isatty(int fd);
}
