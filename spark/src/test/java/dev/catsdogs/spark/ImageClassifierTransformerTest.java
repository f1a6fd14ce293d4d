package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark ML transformer: the README's example runs in a Pipeline on a {@code binaryFile}
 * DataFrame and gives what {@code classify} gives; schema checks; softmax rows encode.
 */
class ImageClassifierTransformerTest {

    static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.builder("transformer-test", "local[2]", Map.of()).getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static Path photos() {
        return TestData.root().resolve("inference/src/test/resources/images");
    }

    static Dataset<Row> readmeExample(SparkSession spark, String photos, String modelFile) {
        // README-BEGIN
        // spark: a SparkSession; photos: a directory of images; modelFile: an exported ONNX model
        Dataset<Row> images = spark.read().format("binaryFile").load(photos);
        var classify = new ImageClassifierTransformer().setModelPath(modelFile).setBatchSize(32);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {classify});
        Dataset<Row> scored = pipeline.fit(images).transform(images);
        scored.select("path", "label", "probability", "error").show(false);
        // README-END
        return scored;
    }

    @Test
    void readmeExampleClassifiesAsClassifyDoes() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        System.setOut(new PrintStream(shown, true, StandardCharsets.UTF_8));
        Dataset<Row> scored;
        try {
            scored = readmeExample(spark, photos().toString(), TestData.model().toString());
        } finally {
            System.setOut(original);
        }
        String table = shown.toString(StandardCharsets.UTF_8);
        List<Row> rows = scored.collectAsList();
        assertEquals(10, rows.size());
        try (ImageClassifier classifier = ImageClassifier.builder(TestData.model()).build()) {
            for (Row row : rows) {
                Path file = TestData.fromSpark(row.getAs("path"));
                Prediction p = classifier.classify(file);
                assertEquals(p.label(), row.getAs("label"), file.toString());
                assertEquals(p.logits()[0], (float) row.getAs("logit"), 1e-5f);
                assertTrue(table.contains(file.getFileName().toString()), table);
            }
        }
        // the binaryFile columns stay; the output columns follow them
        assertEquals(
                List.of(
                        "path",
                        "modificationTime",
                        "length",
                        "content",
                        "label",
                        "probability",
                        "logit",
                        "error",
                        "model_sha256"),
                Arrays.asList(scored.schema().fieldNames()));
    }

    @Test
    void embeddingDocShowsExactlyThisExample() throws Exception {
        List<String> source =
                Files.readAllLines(
                        TestData.root()
                                .resolve(
                                        "spark/src/test/java/dev/catsdogs/spark/"
                                                + "ImageClassifierTransformerTest.java"));
        int begin = source.indexOf("        // README-BEGIN");
        int end = source.indexOf("        // README-END");
        String example =
                String.join(
                        "\n",
                        source.subList(begin + 1, end).stream().map(l -> l.substring(8)).toList());
        // The README links to docs/embedding.md for the API; the example lives there.
        String doc = Files.readString(TestData.root().resolve("docs/embedding.md"));
        assertTrue(
                doc.contains("```java\n" + example + "\n```"),
                "docs/embedding.md's Spark example must be the lines between README-BEGIN and"
                        + " README-END:\n"
                        + example);
    }

    @Test
    void aMissingModelFailsAtTransformWithTheClassifierMessage() {
        Dataset<Row> images = spark.read().format("binaryFile").load(photos().toString());
        ImageClassifierTransformer missing =
                new ImageClassifierTransformer().setModelPath("/no/such/model.onnx");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> missing.transform(images));
        assertEquals("/no/such/model.onnx: model file not found", e.getMessage());
        IllegalArgumentException unset =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new ImageClassifierTransformer().transform(images));
        assertTrue(unset.getMessage().contains("modelPath is not set"), unset.getMessage());
    }

    @Test
    void schemaChecksNameTheColumn() {
        ImageClassifierTransformer t =
                new ImageClassifierTransformer().setModelPath(TestData.model().toString());
        StructType notBinary =
                DataTypes.createStructType(
                        List.of(
                                DataTypes.createStructField(
                                        "content", DataTypes.StringType, true)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> t.transformSchema(notBinary));
        assertEquals(
                "Received contentCol=content (of type string); expected a binary column (encoded"
                        + " image bytes)",
                e.getMessage());
        StructType clash =
                DataTypes.createStructType(
                        List.of(
                                DataTypes.createStructField("content", DataTypes.BinaryType, true),
                                DataTypes.createStructField("label", DataTypes.StringType, true)));
        e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(clash));
        assertTrue(e.getMessage().contains("output column 'label' already exists"), e.getMessage());
        StructType renamed = t.setLabelCol("predicted").transformSchema(clash);
        assertTrue(Arrays.asList(renamed.fieldNames()).contains("predicted"));
        assertThrows(IllegalArgumentException.class, () -> t.setBatchSize(0));
        assertEquals(32, t.copy(new org.apache.spark.ml.param.ParamMap()).getBatchSize());
    }

    @Test
    void softmaxRowsCarryLogitsAndProbabilityArrays() {
        Prediction p =
                new Prediction(
                        "dogs",
                        0.6652f,
                        new float[] {0.1f, 1f, -0.5f},
                        1,
                        List.of("a", "dogs", "c"));
        List<Row> rows =
                List.of(
                        RowFactory.create(OutputColumns.predictionValues(p, false, "abc")),
                        RowFactory.create(OutputColumns.errorValues("broken", false, "abc")));
        StructType schema = DataTypes.createStructType(OutputColumns.DEFAULT.fields(false));
        List<Row> back = spark.createDataFrame(rows, schema).collectAsList();
        assertEquals(List.of(0.1f, 1f, -0.5f), back.get(0).getList(2));
        List<Float> probabilities = back.get(0).getList(3);
        assertEquals(3, probabilities.size());
        assertEquals(p.probabilities()[1], probabilities.get(1), 1e-7f);
        assertEquals("broken", back.get(1).getAs("error"));
        assertEquals(
                List.of("label", "probability", "logits", "probabilities", "error", "model_sha256"),
                Arrays.asList(schema.fieldNames()));
    }
}
