package dev.catsdogs.inference.internal;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Not API. Sets a variable in the process environment for native libraries that read it with {@code
 * getenv} (ONNX Runtime's telemetry switch, OpenCV's log level). Java has no call for this; the C
 * library's {@code setenv} is reached through JNA. Java's own {@code System.getenv()} keeps its
 * copy from the JVM's start and does not see the change. {@code setenv} is not safe against a
 * concurrent {@code getenv} in native code, so each variable is set once, before the library that
 * reads it starts.
 */
public final class ProcessEnvironment {

    private ProcessEnvironment() {}

    /**
     * Sets {@code name} to {@code value} unless the environment already has {@code name} (the
     * user's value wins).
     *
     * @return whether the variable now exists: false on Windows (no {@code setenv}) or when JNA's
     *     native library cannot be loaded
     */
    public static boolean setUnlessSet(String name, String value) {
        if (Platform.isWindows()) {
            return false;
        }
        if (JnaLoader.load().isPresent()) {
            return false;
        }
        try {
            return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME)
                            .getFunction("setenv")
                            .invokeInt(new Object[] {name, value, 0})
                    == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
