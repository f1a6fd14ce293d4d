package dev.catsdogs.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.sun.jna.Platform;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Not API. Starts ONNX Runtime the way this library wants it: natives from the {@link NativeCache},
 * no telemetry, nothing left in {@code java.io.tmpdir}. Every class of this project that uses ONNX
 * Runtime gets its environment from {@link #environment()}.
 *
 * <ul>
 *   <li>Natives: {@code onnxruntime.native.path} is set to the cached copy of the jar's library
 *       folder, which ONNX Runtime's loader reads instead of copying the libraries out per process.
 *       An application that sets {@code onnxruntime.native.path} (or a per-library {@code
 *       onnxruntime.native.*.path}) itself keeps its choice.
 *   <li>Telemetry: Microsoft's builds of ONNX Runtime 1.29 send usage telemetry from Linux and
 *       macOS too; starting it writes {@code /tmp/mat-debug-<pid>.log}, {@code /tmp/.ses} and
 *       {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime/} and reads {@code /etc/machine-id}.
 *       The one switch that stops all of it is the environment variable {@code
 *       ORT_DISABLE_TELEMETRY=1}, read once when ONNX Runtime starts; Java cannot pass it to its
 *       own process, so it is set through the C library ({@code setenv}, by JNA) before the first
 *       start. On Windows the telemetry is ETW tracing, switched off by the API ({@code
 *       setTelemetry(false)}, done on every platform). {@code
 *       -Dcatsdogs.onnxruntime.telemetry=true} leaves both as ONNX Runtime's build has them; an
 *       {@code ORT_DISABLE_TELEMETRY} the application's environment already has is left alone.
 *   <li>Temporary directory: ONNX Runtime 1.29 creates an {@code onnxruntime-java*} directory in
 *       {@code java.io.tmpdir} at every start, before it reads {@code onnxruntime.native.path}, and
 *       only asks for it to be deleted at exit. It stays empty here, and is deleted right after the
 *       start, so a process killed later (SIGKILL) leaves nothing.
 * </ul>
 */
public final class OnnxRuntimeLoader {

    /** {@code -Dcatsdogs.onnxruntime.telemetry=true}: leave ONNX Runtime's telemetry on. */
    public static final String TELEMETRY_PROPERTY = "catsdogs.onnxruntime.telemetry";

    /** The environment variable that turns ONNX Runtime's telemetry off before it starts. */
    public static final String TELEMETRY_VARIABLE = "ORT_DISABLE_TELEMETRY";

    private static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
    private static final System.Logger LOG = System.getLogger(OnnxRuntimeLoader.class.getName());
    private static volatile OrtEnvironment environment;

    private OnnxRuntimeLoader() {}

    /**
     * ONNX Runtime's process-wide environment, started as described above on the first call.
     *
     * @throws IllegalStateException if ONNX Runtime cannot start on this platform (its natives
     *     cannot be loaded)
     */
    public static OrtEnvironment environment() {
        OrtEnvironment started = environment;
        if (started != null) {
            return started;
        }
        synchronized (OnnxRuntimeLoader.class) {
            if (environment == null) {
                environment = start();
            }
            return environment;
        }
    }

    private static OrtEnvironment start() {
        boolean telemetry = Boolean.getBoolean(TELEMETRY_PROPERTY);
        if (!telemetry) {
            disableTelemetryBeforeStart();
        }
        useCachedNatives();
        OrtEnvironment env;
        try {
            env = OrtEnvironment.getEnvironment(); // loads the natives and starts ONNX Runtime
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(
                    "Could not start ONNX Runtime (com.microsoft.onnxruntime) on "
                            + System.getProperty("os.name")
                            + "/"
                            + System.getProperty("os.arch")
                            + ": "
                            + e,
                    e);
        }
        removeStartTemporaryDirectory();
        if (!telemetry) {
            try {
                env.setTelemetry(false);
            } catch (OrtException e) {
                LOG.log(System.Logger.Level.DEBUG, "ONNX Runtime refused setTelemetry(false)", e);
            }
        }
        return env;
    }

    private static void disableTelemetryBeforeStart() {
        if (System.getenv(TELEMETRY_VARIABLE) != null || Platform.isWindows()) {
            return; // the application's own choice; Windows does not read the variable
        }
        if (!ProcessEnvironment.setUnlessSet(TELEMETRY_VARIABLE, "1")) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "Could not turn ONNX Runtime's telemetry off (no setenv through JNA); start the"
                            + " JVM with "
                            + TELEMETRY_VARIABLE
                            + "=1 in its environment to do so");
        }
    }

    private static void useCachedNatives() {
        for (String property : System.getProperties().stringPropertyNames()) {
            if (property.startsWith("onnxruntime.native.")) {
                return; // the application tells ONNX Runtime where its natives are
            }
        }
        String platform = platform();
        if (platform == null) {
            return; // ONNX Runtime's loader reports the unsupported platform
        }
        String library =
                "ai/onnxruntime/native/" + platform + "/" + System.mapLibraryName("onnxruntime");
        try {
            Optional<Path> directory = NativeCache.forUser().directoryOf(library);
            directory.ifPresent(d -> System.setProperty(NATIVE_PATH_PROPERTY, d.toString()));
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "ONNX Runtime copies its natives to java.io.tmpdir itself: the native cache"
                            + " failed ("
                            + e
                            + "); -D"
                            + NativeCache.DIRECTORY_PROPERTY
                            + "=DIR picks a writable directory",
                    e);
        }
    }

    /** ONNX Runtime's name for this platform's folder in its jar, as its loader computes it. */
    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String ortOs =
                os.contains("mac") || os.contains("darwin")
                        ? "osx"
                        : os.contains("win") ? "win" : os.contains("nux") ? "linux" : null;
        String ortArch = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch;
        return ortOs == null ? null : ortOs + "-" + ortArch;
    }

    /** Deletes the directory ONNX Runtime's start created in java.io.tmpdir, if it is empty. */
    private static void removeStartTemporaryDirectory() {
        try {
            Field field =
                    Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
            field.setAccessible(true);
            if (field.get(null) instanceof Path directory) {
                Files.deleteIfExists(directory); // not empty: ONNX Runtime extracted into it
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "ONNX Runtime's onnxruntime-java* directory stays in java.io.tmpdir until exit"
                            + " ("
                            + e
                            + ")",
                    e);
        }
    }
}
