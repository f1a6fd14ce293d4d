package dev.catsdogs.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

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

    private ScoreJob() {}

    /** The image files under {@code inputs} as a {@code binaryFile} DataFrame. */
    public static Dataset<Row> images(SparkSession spark, List<String> inputs) {
        DataFrameReader reader =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", IMAGE_GLOB);
        return reader.load(inputs.toArray(String[]::new));
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
                .option("header", "true")
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
        for (Row row :
                reader.load(settings.output()).groupBy(names.label()).count().collectAsList()) {
            long n = row.getLong(1);
            images += n;
            if (row.isNullAt(0)) {
                errors += n;
            } else {
                perLabel.put(row.getString(0), n);
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
