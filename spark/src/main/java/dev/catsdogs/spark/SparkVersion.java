package dev.catsdogs.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Spark this module runs on: 4.x on Scala 2.13 (built and tested against the version in the
 * parent POM's {@code spark.version}, 4.2.0). Spark is a provided dependency, so an application or
 * a cluster may bring another one; an older Spark would fail somewhere inside a job with a {@code
 * NoSuchMethodError}, so the entry points ({@link ImageClassifierTransformer}, {@link
 * SparkSessions}) check the running version first and refuse it in one sentence.
 */
public final class SparkVersion {

    /** The one Spark major version this module runs on. */
    public static final int MAJOR = 4;

    private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+)\\.\\d+.*");

    private SparkVersion() {}

    /**
     * Checks the Spark on the class path.
     *
     * @throws UnsupportedOperationException if it is not Spark 4.x, naming the version found
     */
    public static void requireSupported() {
        require(org.apache.spark.package$.MODULE$.SPARK_VERSION());
    }

    /**
     * Checks a Spark version string such as {@code 4.2.0} or {@code 3.5.6}.
     *
     * @throws UnsupportedOperationException if it is not 4.x: "catsdogs-spark needs Spark 4.x,
     *     found 3.5.6"
     */
    static void require(String version) {
        Matcher matcher = MAJOR_MINOR.matcher(String.valueOf(version));
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) != MAJOR) {
            throw new UnsupportedOperationException(
                    "catsdogs-spark needs Spark " + MAJOR + ".x, found " + version);
        }
    }
}
