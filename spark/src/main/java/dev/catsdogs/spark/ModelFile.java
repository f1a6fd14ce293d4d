package dev.catsdogs.spark;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.internal.Sha256;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A checked model as the executors see it: its SHA-256, its output kind and class names, and the
 * broadcast that ships its bytes to executors. Serializable and small: this is all a task carries;
 * the {@link ImageClassifier} itself is never serialized (see {@link ExecutorClassifiers}).
 *
 * <p>{@link #inspect} runs on the driver before any image is read: it loads the model as {@code
 * classify} does, so a missing or invalid model fails with the same {@link ModelLoadException}.
 */
public final class ModelFile implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String location;
    private final String sha256;
    private final boolean sigmoid;
    private final List<String> classNames;
    private final Broadcast<byte[]> bytes; // null until shippedTo

    // Broadcast models by application id and SHA-256, so transform() twice ships once.
    private static final Map<String, Broadcast<byte[]>> BROADCASTS = new ConcurrentHashMap<>();

    private ModelFile(
            String location,
            String sha256,
            boolean sigmoid,
            List<String> classNames,
            Broadcast<byte[]> bytes) {
        this.location = location;
        this.sha256 = sha256;
        this.sigmoid = sigmoid;
        this.classNames = List.copyOf(classNames);
        this.bytes = bytes;
    }

    /**
     * Loads and checks the model at {@code location} on this JVM (the driver): a local path, or a
     * URI of any Hadoop file system ({@code hdfs://}, {@code s3a://}, ...), which is copied to a
     * local temporary file first.
     *
     * @param hadoopConf the configuration for non-local URIs; may be null for local paths
     * @throws ModelLoadException as {@link ImageClassifier.Builder#build()} throws it
     */
    public static ModelFile inspect(String location, Configuration hadoopConf)
            throws ModelLoadException {
        Objects.requireNonNull(location, "location");
        Path local;
        try {
            local = localCopy(location, hadoopConf);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ModelLoadException(
                    location, "could not read the model: " + e.getMessage(), e);
        }
        try (ImageClassifier classifier = ImageClassifier.builder(local).build()) {
            ModelMetadata metadata = classifier.metadata();
            return new ModelFile(
                    location,
                    sha256(local),
                    metadata.outputKind() == ModelMetadata.OutputKind.SIGMOID,
                    metadata.classNames(),
                    null);
        } catch (ModelLoadException e) {
            if (local.toString().equals(location)) {
                throw e;
            }
            throw new ModelLoadException(location, e.problem(), e);
        }
    }

    /**
     * This model with its bytes broadcast to the executors of {@code spark} (once per application
     * and model). Spark's broadcast (peer-to-peer, fetched only by the first task on each executor
     * that builds the classifier) rather than {@code addFile}: in Spark 4 a file added to the
     * {@code SparkContext} is not fetched for the SQL jobs of a session with artifact isolation, so
     * executors of a real cluster never see it. Executors need no access to where the model lives.
     */
    public ModelFile shippedTo(SparkSession spark) {
        Path local = localCopy(location, spark.sparkContext().hadoopConfiguration());
        String key = spark.sparkContext().applicationId() + "/" + sha256;
        Broadcast<byte[]> shipped =
                BROADCASTS.computeIfAbsent(
                        key,
                        k -> {
                            byte[] data = readAll(local);
                            if (!sha256(data).equals(sha256)) {
                                throw new IllegalStateException(
                                        "model " + location + " changed after it was checked");
                            }
                            return JavaSparkContext.fromSparkContext(spark.sparkContext())
                                    .broadcast(data);
                        });
        return new ModelFile(location, sha256, sigmoid, classNames, shipped);
    }

    /** The model's bytes, on an executor: the broadcast value. */
    byte[] bytes() {
        if (bytes == null) {
            throw new IllegalStateException("model " + location + " was not shipped to executors");
        }
        return bytes.value();
    }

    /** The model as the user named it (path or URI). */
    public String location() {
        return location;
    }

    /** Lower-case hex SHA-256 of the model file: the executor cache key and output column. */
    public String sha256() {
        return sha256;
    }

    /** One logit per image (sigmoid) rather than one per class (softmax). */
    public boolean sigmoid() {
        return sigmoid;
    }

    /** The model's classes, in output order. */
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String toString() {
        return "ModelFile[" + location + ", sha256=" + sha256 + "]";
    }

    /** Lower-case hex SHA-256 of bytes. */
    static String sha256(byte[] data) {
        return Sha256.of(data);
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read model " + file, e);
        }
    }

    /** Lower-case hex SHA-256 of a file. */
    static String sha256(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    // A local path as is; a Hadoop URI copied to a local temporary file.
    private static Path localCopy(String location, Configuration hadoopConf) {
        URI uri = URI.create(location.replace(" ", "%20"));
        String scheme = uri.getScheme();
        if (scheme == null || scheme.length() == 1) { // a plain path (or a Windows drive letter)
            return Path.of(location);
        }
        if (scheme.equals("file")) {
            return Path.of(uri);
        }
        try {
            Configuration conf = hadoopConf != null ? hadoopConf : new Configuration();
            org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = remote.getFileSystem(conf);
            Path local = Files.createTempFile(driverDir(), "remote", ".onnx");
            fs.copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(local.toUri()), true);
            local.toFile().deleteOnExit();
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy model " + location, e);
        }
    }

    private static Path driverDir() {
        return DriverDir.DIR;
    }

    private static final class DriverDir {
        static final Path DIR = createModelDir();
    }

    /** A temporary directory for model files of this JVM, removed when it exits. */
    static Path createModelDir() {
        try {
            Path dir = Files.createTempDirectory("catsdogs-models");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory", e);
        }
    }
}
