package dev.catsdogs.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.internal.Arguments;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code score} job: every file of {@link ScoreInputs} through {@link
 * ImageClassifierTransformer}, written as {@code path} plus the {@link OutputColumns} in one Spark
 * write into {@link ScoreOutput}'s temporary directory, counted on the way ({@link RowCounter}),
 * then put in place. Local files are read by the tasks themselves; inputs on other file systems
 * through Spark's {@code binaryFile} source (recursive, .jpg/.jpeg/.png/.bmp in any case, empty
 * files added back).
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
     * @param inputs files or directories, local paths or Hadoop URIs, taken literally
     * @param output the output directory, a local path or a Hadoop URI
     * @param format the output format
     * @param batchSize images per model run
     * @param overwrite replace an earlier score output (see {@link ScoreOutput})
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
                throw Arguments.received("batchSize", batchSize, ">= 1");
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

    private static final String MIN_PARTITIONS = "spark.sql.files.minPartitionNum";
    private static final String FILE_URI = "file_uri";

    private ScoreJob() {}

    /**
     * The image files of remote {@code inputs} (taken literally) as a {@code binaryFile} DataFrame,
     * one row per file: Spark's scan skips empty files, so they are added back with empty content
     * (and score as errors).
     */
    static Dataset<Row> remoteImages(SparkSession spark, List<String> inputs) {
        DataFrameReader reader =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", IMAGE_GLOB);
        Dataset<Row> files =
                reader.load(inputs.stream().map(ScoreInputs::literal).toArray(String[]::new));
        List<Row> empty = emptyFiles(files);
        return empty.isEmpty() ? files : files.union(spark.createDataFrame(empty, files.schema()));
    }

    /**
     * Local files as rows of {@code path} (as Spark names a local file) and {@code file_uri} (the
     * exact name, also when it is not UTF-8), in {@link #partitions} slices.
     */
    static Dataset<Row> localImages(SparkSession spark, List<java.nio.file.Path> files) {
        List<Row> rows = new ArrayList<>(files.size());
        for (java.nio.file.Path file : files) {
            rows.add(RowFactory.create(ScoreInputs.sparkName(file), file.toUri().toString()));
        }
        StructType schema =
                DataTypes.createStructType(
                        List.of(
                                DataTypes.createStructField("path", DataTypes.StringType, false),
                                DataTypes.createStructField(
                                        FILE_URI, DataTypes.StringType, false)));
        JavaRDD<Row> slices =
                JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .parallelize(rows, partitions(spark, files.size()));
        return spark.createDataFrame(slices, schema);
    }

    /**
     * How many tasks score {@code files} local files: {@code spark.sql.files.minPartitionNum} if
     * set, else 4 per core (balanced waves, so no core idles through a long last task while the
     * others are done), and never more than the files.
     */
    public static int partitions(SparkSession spark, int files) {
        long wanted =
                spark.conf().contains(MIN_PARTITIONS)
                        ? Long.parseLong(spark.conf().get(MIN_PARTITIONS))
                        : 4L * spark.sparkContext().defaultParallelism();
        return (int) Math.max(1, Math.min(wanted, files));
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
     * Lists the inputs, prepares the output ({@link ScoreOutput#prepare}), scores and puts the
     * output in place; the model must have been checked ({@link ModelFile#inspect}).
     *
     * @throws ScoreArgumentException before any image is read, for inputs or an output that cannot
     *     be used
     * @throws IOException if the output could not be put in place (the earlier one is unchanged)
     */
    public static Summary run(SparkSession spark, ModelFile model, Settings settings)
            throws IOException {
        ScoreInputs inputs = ScoreInputs.list(settings.inputs());
        ScoreOutput output =
                ScoreOutput.prepare(
                        settings.output(),
                        settings.overwrite(),
                        inputs,
                        spark.sparkContext().hadoopConfiguration());
        try {
            Summary summary = write(spark, model, inputs, output, settings);
            output.commit(metadata(model, settings, summary));
            return summary;
        } finally {
            output.abort();
        }
    }

    /**
     * Scores {@code inputs} into {@code output}'s temporary directory, without putting it in place:
     * the caller commits ({@link ScoreOutput#commit} with {@link #metadata}) or aborts.
     */
    public static Summary write(
            SparkSession spark,
            ModelFile model,
            ScoreInputs inputs,
            ScoreOutput output,
            Settings settings) {
        ImageClassifierTransformer transformer =
                new ImageClassifierTransformer()
                        .setModelPath(model.location())
                        .setBatchSize(settings.batchSize());
        OutputColumns names = transformer.outputColumns();
        List<Column> columns = new ArrayList<>(List.of(col("path")));
        for (String name : names.names(model.sigmoid())) {
            boolean array = name.equals(names.logits()) || name.equals(names.probabilities());
            columns.add(
                    array && settings.format() == Format.CSV // CSV has no arrays: JSON text
                            ? to_json(col(name)).as(name)
                            : col(name));
        }
        Column[] selected = columns.toArray(Column[]::new);
        Dataset<Row> scored = null;
        if (!inputs.localFiles().isEmpty()) {
            scored =
                    transformer
                            .transformLocalFiles(localImages(spark, inputs.localFiles()), FILE_URI)
                            .select(selected);
        }
        if (!inputs.remote().isEmpty()) {
            // At least 4 partitions per core, as for local files (unless the user chose).
            if (!spark.conf().contains(MIN_PARTITIONS)) {
                spark.conf().set(MIN_PARTITIONS, 4L * spark.sparkContext().defaultParallelism());
            }
            Dataset<Row> remote =
                    transformer
                            .transform(
                                    remoteImages(spark, inputs.remote()).select("path", "content"))
                            .select(selected);
            scored = scored == null ? remote : scored.union(remote);
        }
        RowCounter counter =
                new RowCounter(
                        spark.sparkContext(),
                        model.classNames(),
                        Arrays.asList(scored.columns()).indexOf(names.label()));
        long start = System.nanoTime();
        scored.mapPartitions(counter, Encoders.row(scored.schema()))
                .write()
                .mode(SaveMode.ErrorIfExists)
                .format(settings.format().sparkName())
                .option("header", "true") // CSV: a header line per file
                .option("ignoreNullFields", "false") // JSON: "error": null, not a missing key
                .save(output.stagedPath());
        return counter.summary((System.nanoTime() - start) / 1e9);
    }

    /** What {@link ScoreOutput#commit} records about a run beside its rows. */
    public static Map<String, Object> metadata(
            ModelFile model, Settings settings, Summary summary) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("version", BuildInfo.version());
        members.put("format", settings.format().sparkName());
        members.put("inputs", settings.inputs());
        members.put("model", model.location());
        members.put("model_sha256", model.sha256());
        members.put("rows", summary.images());
        members.put("errors", summary.errors());
        members.put("labels", summary.perLabel());
        members.put("written", Instant.now().toString());
        return members;
    }
}
