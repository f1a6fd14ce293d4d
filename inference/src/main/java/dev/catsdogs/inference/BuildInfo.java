package dev.catsdogs.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions fixed when this library was built, read from {@code build.properties}, which Maven fills
 * in from the pom: the one definition of the version, instead of strings in the code.
 */
public final class BuildInfo {

    private static final String RESOURCE = "build.properties";
    private static final Properties PROPERTIES = load();

    private BuildInfo() {}

    /** The catsdogs version this library was built as, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return get("version");
    }

    /** The ONNX Runtime version this library was built and tested against, e.g. {@code 1.29.0}. */
    public static String onnxRuntimeVersion() {
        return get("onnxruntime.version");
    }

    private static String get(String key) {
        String value = PROPERTIES.getProperty(key);
        if (value == null || value.contains("${")) {
            // Only a build that skipped resource filtering gets here (e.g. an IDE's own compiler).
            throw new IllegalStateException(
                    "dev/catsdogs/inference/"
                            + RESOURCE
                            + " has no filtered '"
                            + key
                            + "' (got "
                            + value
                            + "); build the inference module with Maven");
        }
        return value;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + RESOURCE, e);
        }
        return properties;
    }
}
