package dev.catsdogs.spark;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A checked model as the executors see it: its SHA-256, its output kind and class names, and the
 * name it is shipped under with {@code SparkContext.addFile}. Serializable and small: this is all a
 * task carries; the {@link ImageClassifier} itself is never serialized (see {@link
 * ExecutorClassifiers}).
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

    private ModelFile(String location, String sha256, boolean sigmoid, List<String> classNames) {
        this.location = location;
        this.sha256 = sha256;
        this.sigmoid = sigmoid;
        this.classNames = List.copyOf(classNames);
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
                    metadata.classNames());
        } catch (ModelLoadException e) {
            if (local.toString().equals(location)) {
                throw e;
            }
            throw new ModelLoadException(location, e.problem(), e);
        }
    }

    /**
     * Ships the model to every executor of {@code spark} under the name {@link #sparkFileName()}
     * (idempotent per application).
     */
    public void register(SparkSession spark) {
        Path local = localCopy(location, spark.sparkContext().hadoopConfiguration());
        Path shipped = driverDir().resolve(sparkFileName());
        try {
            if (!Files.isRegularFile(shipped) || !sha256(shipped).equals(sha256)) {
                Path tmp = Files.createTempFile(driverDir(), "model", ".tmp");
                Files.copy(local, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (!sha256(tmp).equals(sha256)) {
                    throw new IllegalStateException(
                            "model " + location + " changed after it was checked; run again");
                }
                Files.move(tmp, shipped, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not stage model " + location, e);
        }
        List<String> added = CollectionConverters.asJava(spark.sparkContext().listFiles());
        if (added.stream().noneMatch(f -> f.endsWith("/" + sparkFileName()))) {
            spark.sparkContext().addFile(shipped.toString());
        }
    }

    /** Where the executor finds its copy: {@link SparkFiles#get} of {@link #sparkFileName()}. */
    Path executorPath() {
        return Path.of(SparkFiles.get(sparkFileName()));
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

    /** {@code <sha256>.onnx}: content-addressed, so two models never collide in SparkFiles. */
    public String sparkFileName() {
        return sha256 + ".onnx";
    }

    @Override
    public String toString() {
        return "ModelFile[" + location + ", sha256=" + sha256 + "]";
    }

    /** Lower-case hex SHA-256 of a file. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
        static final Path DIR = create();

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("catsdogs-models");
                dir.toFile().deleteOnExit();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a temporary directory", e);
            }
        }
    }
}
