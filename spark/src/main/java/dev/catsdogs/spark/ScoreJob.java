package dev.catsdogs.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code score} job: image files under the inputs (Spark's {@code binaryFile} source,
 * recursive, .jpg/.jpeg/.png/.bmp in any case) through {@link ImageClassifierTransformer}, written
 * as {@code path} plus the {@link OutputColumns} in one Spark write (its commit protocol makes the
 * output all-or-nothing), then counted from what was written.
 */
public final class ScoreJob {

    /** Output file formats. */
    public enum Format {
        PARQUET,
        CSV,
        JSON;

        /** The Spark source name. */
        public String sparkName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Hadoop glob for {@code pathGlobFilter}: the image extensions {@code classify} takes, in any
     * case.
     */
    public static final String IMAGE_GLOB =
            "*.{[jJ][pP][gG],[jJ][pP][eE][gG],[pP][nN][gG],[bB][mM][pP]}";

    /**
     * What to score and where to.
     *
     * @param inputs files or directories, local paths or Hadoop URIs
     * @param output the output directory
     * @param format the output format
     * @param batchSize images per model run
     * @param overwrite replace an existing output (otherwise it is an error)
     */
    public record Settings(
            List<String> inputs, String output, Format format, int batchSize, boolean overwrite) {
        public Settings {
            inputs = List.copyOf(inputs);
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("at least one input is needed");
            }
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(format, "format");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
        }
    }

    /**
     * What a run wrote.
     *
     * @param images rows written (one per input file)
     * @param perLabel classified rows per label, sorted by label
     * @param errors rows with an error
     * @param seconds wall time of the write (the scoring job)
     */
    public record Summary(long images, Map<String, Long> perLabel, long errors, double seconds) {
        public Summary {
            perLabel = Map.copyOf(new TreeMap<>(perLabel));
        }

        /** Rows per second of {@link #seconds}. */
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    /** The output exists and {@code overwrite} is off (Spark's default save mode). */
    public static final class OutputExistsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutputExistsException(String output) {
            super("output " + output + " already exists; pass --overwrite to replace it");
        }
    }

    private static final String MIN_PARTITIONS = "spark.sql.files.minPartitionNum";
    private static final String ERROR_KEY = "error"; // labels are counted as "=" + label

    private ScoreJob() {}

    /**
     * The image files under {@code inputs} as a {@code binaryFile} DataFrame, one row per file:
     * Spark's scan skips empty files, so they are added back with empty content (and score as
     * errors).
     */
    public static Dataset<Row> images(SparkSession spark, List<String> inputs) {
        DataFrameReader reader =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", IMAGE_GLOB);
        Dataset<Row> files = reader.load(inputs.toArray(String[]::new));
        List<Row> empty = emptyFiles(files);
        return empty.isEmpty() ? files : files.union(spark.createDataFrame(empty, files.schema()));
    }

    // The zero-length files of the listing Spark already holds (no extra file system calls).
    private static List<Row> emptyFiles(Dataset<Row> files) {
        List<Row> rows = new ArrayList<>();
        LogicalPlan plan = files.queryExecution().analyzed();
        for (LogicalPlan leaf : CollectionConverters.asJava(plan.collectLeaves())) {
            if (leaf instanceof LogicalRelation relation
                    && relation.relation() instanceof HadoopFsRelation fs
                    && fs.location() instanceof PartitioningAwareFileIndex index) {
                for (FileStatus status : CollectionConverters.asJava(index.allFiles())) {
                    if (status.getLen() == 0) {
                        rows.add(
                                RowFactory.create(
                                        status.getPath().toString(),
                                        new Timestamp(status.getModificationTime()),
                                        0L,
                                        new byte[0]));
                    }
                }
            }
        }
        return rows;
    }

    /**
     * Scores and writes; the model must have been checked ({@link ModelFile#inspect}).
     *
     * @throws OutputExistsException before any image is read
     */
    public static Summary run(SparkSession spark, ModelFile model, Settings settings) {
        if (!settings.overwrite() && exists(spark, settings.output())) {
            throw new OutputExistsException(settings.output());
        }
        // At least 4 partitions per core (unless the user chose): balanced waves, so no core idles
        // through a long last task while the others are done.
        if (!spark.conf().contains(MIN_PARTITIONS)) {
            spark.conf().set(MIN_PARTITIONS, 4L * spark.sparkContext().defaultParallelism());
        }
        ImageClassifierTransformer transformer =
                new ImageClassifierTransformer()
                        .setModelPath(model.location())
                        .setBatchSize(settings.batchSize());
        OutputColumns names = transformer.outputColumns();
        Dataset<Row> scored =
                transformer.transform(images(spark, settings.inputs()).select("path", "content"));
        List<Column> columns = new ArrayList<>(List.of(col("path")));
        for (String name : names.names(model.sigmoid())) {
            boolean array = name.equals(names.logits()) || name.equals(names.probabilities());
            columns.add(
                    array && settings.format() == Format.CSV // CSV has no arrays: JSON text
                            ? to_json(col(name)).as(name)
                            : col(name));
        }
        long start = System.nanoTime();
        scored.select(columns.toArray(Column[]::new))
                .write()
                .mode(settings.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .format(settings.format().sparkName())
                .option("header", "true") // CSV: a header line per file
                .option("ignoreNullFields", "false") // JSON: "error": null, not a missing key
                .save(settings.output());
        double seconds = (System.nanoTime() - start) / 1e9;
        return count(spark, settings, names, seconds);
    }

    // Counts from the written output, so the summary is what a reader of the output will see.
    private static Summary count(
            SparkSession spark, Settings settings, OutputColumns names, double seconds) {
        DataFrameReader reader = spark.read().format(settings.format().sparkName());
        if (settings.format() == Format.CSV) {
            reader = reader.option("header", "true");
        } else if (settings.format() == Format.JSON) {
            reader =
                    reader.schema(
                            DataTypes.createStructType(
                                    List.of(
                                            DataTypes.createStructField(
                                                    names.label(), DataTypes.StringType, true))));
        }
        Map<String, Long> perLabel = new TreeMap<>();
        long images = 0;
        long errors = 0;
        // countByValue merges per-partition counts on the driver: no shuffle for a few labels
        Map<String, Long> counts =
                reader.load(settings.output())
                        .select(names.label())
                        .as(Encoders.STRING())
                        .javaRDD()
                        .map(label -> label == null ? ERROR_KEY : "=" + label)
                        .countByValue();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            images += e.getValue();
            if (e.getKey().equals(ERROR_KEY)) {
                errors += e.getValue();
            } else {
                perLabel.put(e.getKey().substring(1), e.getValue());
            }
        }
        return new Summary(images, perLabel, errors, seconds);
    }

    private static boolean exists(SparkSession spark, String output) {
        try {
            Path path = new Path(output);
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return fs.exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not check output " + output, e);
        }
    }
}
