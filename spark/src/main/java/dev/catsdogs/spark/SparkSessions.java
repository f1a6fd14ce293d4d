package dev.catsdogs.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session {@code score} and {@code bench-score} run in. Local masters bind to 127.0.0.1
 * and have no web UI; other masters get the jars executors need in {@code spark.jars}. Files are
 * packed into partitions with an open cost of {@link #OPEN_COST_BYTES}.
 */
public final class SparkSessions {

    /** Classes whose jars executors need: this module, inference, ONNX Runtime, OpenCV, JNA. */
    private static final List<Class<?>> EXECUTOR_CLASSES =
            List.of(
                    SparkSessions.class,
                    dev.catsdogs.inference.ImageClassifier.class,
                    ai.onnxruntime.OrtEnvironment.class,
                    org.opencv.core.Core.class,
                    com.sun.jna.Native.class);

    /** {@code spark.sql.files.openCostInBytes} for score: 256 KiB (Spark's default: 4 MiB). */
    public static final long OPEN_COST_BYTES = 256 * 1024;

    private SparkSessions() {}

    /** Whether {@code master} runs Spark inside this JVM. */
    public static boolean isLocal(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    /**
     * A builder for {@code master} with the console progress bar on; {@code conf} is applied last,
     * so it overrides every default here.
     *
     * @throws UnsupportedOperationException if the Spark on the class path is not 4.x
     */
    public static SparkSession.Builder builder(
            String appName, String master, Map<String, String> conf) {
        SparkVersion.requireSupported();
        SparkSession.Builder builder =
                SparkSession.builder()
                        .appName(appName)
                        .master(master)
                        .config("spark.ui.showConsoleProgress", "true")
                        // A file "costs" 256 KiB instead of 4 MiB when Spark packs files into
                        // partitions: ~460 photos of 20 KB per partition, not ~31, so far fewer
                        // tasks (each with its own output file and commit) and fuller minibatches.
                        // Measured on 2,000 photos, local[2], first run: 136 images/s against 92.
                        .config("spark.sql.files.openCostInBytes", Long.toString(OPEN_COST_BYTES));
        if (isLocal(master)) {
            builder.config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false");
        } else {
            Set<String> jars = new LinkedHashSet<>();
            String given = conf.get("spark.jars");
            if (given != null && !given.isBlank()) {
                jars.addAll(List.of(given.split(",")));
            }
            jars.addAll(executorJars());
            builder.config("spark.jars", String.join(",", jars));
        }
        conf.forEach(
                (key, value) -> {
                    if (!key.equals("spark.jars") || isLocal(master)) {
                        builder.config(key, value);
                    }
                });
        return builder;
    }

    /**
     * The jars (as local paths) that hold the classes executors need; class directories (a build
     * tree, as in tests) are packed into a temporary jar.
     */
    public static List<String> executorJars() {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> type : EXECUTOR_CLASSES) {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null) {
                throw new IllegalStateException("cannot tell which jar holds " + type.getName());
            }
            Path location;
            try {
                location = Path.of(source.getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("bad code source of " + type.getName(), e);
            }
            jars.add(
                    Files.isDirectory(location)
                            ? packed(location).toString()
                            : location.toString());
        }
        return List.copyOf(jars);
    }

    // A class directory as a jar, for executors (they take jars, not directories).
    private static Path packed(Path classes) {
        try {
            Path jar = Files.createTempFile("catsdogs-classes", ".jar");
            jar.toFile().deleteOnExit();
            try (OutputStream file = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(file);
                    Stream<Path> walk = Files.walk(classes)) {
                for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("could not pack " + classes + " into a jar", e);
        }
    }
}
