package dev.catsdogs.spark;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.internal.Arguments;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that classifies encoded images (JPEG, PNG, BMP) in a binary
 * column, e.g. a {@code binaryFile} DataFrame, and appends the {@link OutputColumns}: label,
 * probability, logit(s), error and the model's SHA-256. It drops into a {@code Pipeline}.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("photos/");
 * Dataset<Row> scored = new ImageClassifierTransformer().setModelPath("model.onnx").transform(images);
 * }</pre>
 *
 * <p>{@link #transform} checks the model on the driver first (a missing or invalid model throws
 * {@link IllegalArgumentException} with the {@link ModelLoadException} message, before any image is
 * read), broadcasts its bytes ({@link ModelFile#shippedTo}), and scores each partition in
 * minibatches of {@code batchSize} with one shared {@link ImageClassifier} per executor JVM ({@link
 * ExecutorClassifiers}). A bad image becomes a row with {@code error} set; it never fails the job.
 * Spark's {@code binaryFile} scan skips empty files; {@code score} lists local files itself.
 *
 * <p>Params: {@code modelPath} (required; a local path or a Hadoop URI), {@code contentCol}
 * ("content"), {@code pathCol} ("path"; names the image in errors, may be absent), {@code
 * batchSize} (32), and the output column names {@code labelCol}, {@code probabilityCol}, {@code
 * logitCol} (sigmoid models), {@code logitsCol} and {@code probabilitiesCol} (softmax models),
 * {@code errorCol}, {@code modelSha256Col}.
 *
 * <p>Runs on Spark 4.x (Scala 2.13), which the application or cluster provides; see {@link
 * SparkVersion}.
 */
public final class ImageClassifierTransformer extends Transformer {

    private static final long serialVersionUID = 1L;
    private static final String BINARY = "a binary column (encoded image bytes)";

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> contentCol;
    private final Param<String> pathCol;
    private final IntParam batchSize;
    private final Param<String> labelCol;
    private final Param<String> probabilityCol;
    private final Param<String> logitCol;
    private final Param<String> logitsCol;
    private final Param<String> probabilitiesCol;
    private final Param<String> errorCol;
    private final Param<String> modelSha256Col;
    private transient ModelFile checked; // the model of the last transformSchema, by location

    public ImageClassifierTransformer() {
        this(Identifiable.randomUID("imageClassifier"));
    }

    /**
     * With a given uid, as Spark ML's copy and persistence need.
     *
     * @throws UnsupportedOperationException if the Spark on the class path is not 4.x ({@link
     *     SparkVersion})
     */
    public ImageClassifierTransformer(String uid) {
        // First: another Spark gets one sentence here, not a NoSuchMethodError inside a job.
        SparkVersion.requireSupported();
        this.uid = uid;
        OutputColumns d = OutputColumns.DEFAULT;
        modelPath = new Param<>(this, "modelPath", "ONNX model: a local path or a Hadoop URI");
        contentCol = new Param<>(this, "contentCol", "binary column with the encoded image");
        pathCol = new Param<>(this, "pathCol", "string column naming the image in errors");
        batchSize =
                new IntParam(this, "batchSize", "images per model run (>= 1)", v -> (int) v >= 1);
        labelCol = new Param<>(this, "labelCol", "output: the chosen class");
        probabilityCol = new Param<>(this, "probabilityCol", "output: the label's probability");
        logitCol = new Param<>(this, "logitCol", "output: the raw output of a sigmoid model");
        logitsCol = new Param<>(this, "logitsCol", "output: the raw outputs of a softmax model");
        probabilitiesCol =
                new Param<>(this, "probabilitiesCol", "output: class probabilities (softmax)");
        errorCol = new Param<>(this, "errorCol", "output: why the image was not classified");
        modelSha256Col = new Param<>(this, "modelSha256Col", "output: SHA-256 of the model");
        setDefault(contentCol, "content");
        setDefault(pathCol, "path");
        setDefault(batchSize, 32);
        setDefault(labelCol, d.label());
        setDefault(probabilityCol, d.probability());
        setDefault(logitCol, d.logit());
        setDefault(logitsCol, d.logits());
        setDefault(probabilitiesCol, d.probabilities());
        setDefault(errorCol, d.error());
        setDefault(modelSha256Col, d.modelSha256());
    }

    @Override
    public String uid() {
        return uid;
    }

    // Params: a public no-argument method per param (how Spark ML finds them), then the setters.

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> contentCol() {
        return contentCol;
    }

    public Param<String> pathCol() {
        return pathCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> logitCol() {
        return logitCol;
    }

    public Param<String> logitsCol() {
        return logitsCol;
    }

    public Param<String> probabilitiesCol() {
        return probabilitiesCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public Param<String> modelSha256Col() {
        return modelSha256Col;
    }

    public ImageClassifierTransformer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    public ImageClassifierTransformer setContentCol(String value) {
        set(contentCol, value);
        return this;
    }

    public ImageClassifierTransformer setPathCol(String value) {
        set(pathCol, value);
        return this;
    }

    public ImageClassifierTransformer setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public ImageClassifierTransformer setLabelCol(String value) {
        set(labelCol, value);
        return this;
    }

    public ImageClassifierTransformer setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public ImageClassifierTransformer setLogitCol(String value) {
        set(logitCol, value);
        return this;
    }

    public ImageClassifierTransformer setLogitsCol(String value) {
        set(logitsCol, value);
        return this;
    }

    public ImageClassifierTransformer setProbabilitiesCol(String value) {
        set(probabilitiesCol, value);
        return this;
    }

    public ImageClassifierTransformer setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    public ImageClassifierTransformer setModelSha256Col(String value) {
        set(modelSha256Col, value);
        return this;
    }

    /** Images per model run. */
    public int getBatchSize() {
        Object value = getOrDefault(batchSize);
        return (Integer) value;
    }

    /** The output column names this transformer is set to. */
    public OutputColumns outputColumns() {
        return new OutputColumns(
                getOrDefault(labelCol),
                getOrDefault(probabilityCol),
                getOrDefault(logitCol),
                getOrDefault(logitsCol),
                getOrDefault(probabilitiesCol),
                getOrDefault(errorCol),
                getOrDefault(modelSha256Col));
    }

    /**
     * The input schema with the output columns appended; loads the model on the driver to learn
     * whether it is a sigmoid or softmax model.
     *
     * @throws IllegalArgumentException if {@code modelPath} is unset, the model is missing or
     *     invalid, the content column is missing or not binary, the path column is not a string, or
     *     an output column already exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        checkColumn(schema, "contentCol", getOrDefault(contentCol), DataTypes.BinaryType, BINARY);
        return appendOutputColumns(schema, model(false, null));
    }

    /**
     * Classifies every row's image; see the class documentation.
     *
     * @throws IllegalArgumentException as {@link #transformSchema}, before any image is read
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        String content = getOrDefault(contentCol);
        checkColumn(dataset.schema(), "contentCol", content, DataTypes.BinaryType, BINARY);
        return score(dataset, content, false);
    }

    /**
     * Like {@link #transform}, for rows that name local files instead of holding their bytes:
     * {@code fileCol} is a string column of {@code file:} URIs (as {@link java.nio.file.Path#toUri}
     * gives them), and each task reads its files with the classifier's own reader, the one {@code
     * classify} uses. For {@code score}; the files must be visible to the executors.
     */
    Dataset<Row> transformLocalFiles(Dataset<?> dataset, String fileCol) {
        checkColumn(
                dataset.schema(),
                "fileCol",
                fileCol,
                DataTypes.StringType,
                "a string column (file: URIs)");
        return score(dataset, fileCol, true);
    }

    private Dataset<Row> score(Dataset<?> dataset, String imageCol, boolean localFiles) {
        // checked again: the file may have changed since
        ModelFile model = model(true, dataset.sparkSession().sparkContext().hadoopConfiguration());
        StructType in = dataset.schema();
        StructType out = appendOutputColumns(in, model);
        List<String> names = Arrays.asList(in.fieldNames());
        PartitionScorer scorer =
                new PartitionScorer(
                        model.shippedTo(dataset.sparkSession()),
                        getBatchSize(),
                        names.indexOf(imageCol),
                        localFiles,
                        names.indexOf(getOrDefault(pathCol)));
        return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
    }

    @Override
    public ImageClassifierTransformer copy(ParamMap extra) {
        return (ImageClassifierTransformer) defaultCopy(extra);
    }

    /** The model of the last {@link #transformSchema} or {@link #transform}. */
    ModelFile model(boolean recheck, Configuration hadoopConf) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException(
                    "modelPath is not set; call setModelPath(\"model.onnx\") first");
        }
        String location = getOrDefault(modelPath);
        ModelFile model = checked;
        if (recheck || model == null || !model.location().equals(location)) {
            try {
                model = ModelFile.inspect(location, hadoopConf);
            } catch (ModelLoadException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            checked = model;
        }
        return model;
    }

    private static void checkColumn(
            StructType schema, String param, String column, DataType type, String expected) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(column)) {
            throw new IllegalArgumentException(
                    param + " '" + column + "' is not a column of " + names);
        }
        if (!schema.apply(column).dataType().equals(type)) {
            throw Arguments.received(
                    param,
                    column + " (of type " + schema.apply(column).dataType().simpleString() + ")",
                    expected);
        }
    }

    private StructType appendOutputColumns(StructType schema, ModelFile model) {
        List<String> names = Arrays.asList(schema.fieldNames());
        String path = getOrDefault(pathCol);
        if (names.contains(path) && !schema.apply(path).dataType().equals(DataTypes.StringType)) {
            throw Arguments.received(
                    "pathCol",
                    path
                            + " (an existing column of type "
                            + schema.apply(path).dataType().simpleString()
                            + ")",
                    "a new column or a string column");
        }
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        for (StructField field : outputColumns().fields(model.sigmoid())) {
            if (names.contains(field.name())) {
                throw new IllegalArgumentException(
                        "output column '" + field.name() + "' already exists in " + names);
            }
            fields.add(field);
        }
        return DataTypes.createStructType(fields);
    }
}
