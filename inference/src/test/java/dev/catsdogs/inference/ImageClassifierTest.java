package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * The classifier against tiny ONNX models whose output is known in closed form (see {@link
 * TestModels}): logit = W^T * channel means of the preprocessed image + b.
 */
class ImageClassifierTest {

    private static final double LOGIT_EPS = 1e-4;
    private static final int RED = 0xFF0000;
    private static final int BLUE = 0x0000FF;

    @TempDir static Path dir;
    private static ImageClassifier sigmoid;
    private static ImagePreprocessor independent;

    @BeforeAll
    static void loadSigmoidModel() throws Exception {
        sigmoid =
                ImageClassifier.builder(TestModels.writeSigmoid(dir.resolve("sigmoid.onnx")))
                        .optIntraOpThreads(1)
                        .build();
        independent = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(TestModels.SIZE));
    }

    @AfterAll
    static void close() {
        sigmoid.close();
    }

    private static double expectedSigmoidLogit(Path image) throws InvalidImageException {
        double[] means = TestModels.channelMeansNchw(independent.preprocess(image));
        return TestModels.expectedLogits(means, TestModels.SIGMOID_W, TestModels.SIGMOID_B)[0];
    }

    private static Path solidPng(String name, int rgb) {
        return TestImages.write(TestImages.solid(10, 6, rgb), "png", dir.resolve(name));
    }

    @Test
    void metadataIsReadFromTheModel() {
        assertEquals(List.of("cats", "dogs"), sigmoid.metadata().classNames());
        assertEquals("42", sigmoid.metadata().provenance().get("seed"));
        assertEquals(PreprocessingSpec.mobileNetV2(TestModels.SIZE), sigmoid.preprocessor().spec());
    }

    // Solid colours make the expected logits computable by hand: channel means are exactly +-1.
    @Test
    void sigmoidOnSolidColoursMatchesHandComputedLogits() throws Exception {
        // red: means (1, -1, -1): 2.5 + 1.5 - 0.75 + 0.2 = 3.45 -> p = 0.9692 -> dogs
        Prediction red = sigmoid.classify(solidPng("red.png", RED));
        assertEquals(3.45, red.logits()[0], LOGIT_EPS);
        assertEquals("dogs", red.label());
        assertEquals(1, red.classIndex());
        assertEquals(1 / (1 + Math.exp(-3.45)), red.probability(), 1e-6);

        // blue: means (-1, -1, 1): -2.5 + 1.5 + 0.75 + 0.2 = -0.05 -> p = 0.4875 -> cats, 1 - p
        Prediction blue = sigmoid.classify(solidPng("blue.png", BLUE));
        assertEquals(-0.05, blue.logits()[0], LOGIT_EPS);
        assertEquals("cats", blue.label());
        assertEquals(0, blue.classIndex());
        assertEquals(1 - 1 / (1 + Math.exp(0.05)), blue.probability(), 1e-6);
    }

    @Test
    void sigmoidOnPhotosMatchesTheFormula() throws Exception {
        for (Path photo : TestImages.photos()) {
            double logit = expectedSigmoidLogit(photo);
            double p = 1 / (1 + Math.exp(-logit));
            Prediction prediction = sigmoid.classify(photo);
            assertEquals(logit, prediction.logits()[0], LOGIT_EPS, photo.toString());
            assertEquals(p >= 0.5 ? "dogs" : "cats", prediction.label(), photo.toString());
            assertEquals(p >= 0.5 ? p : 1 - p, prediction.probability(), 1e-5, photo.toString());
        }
    }

    @Test
    void thresholdComesFromTheMetadata() throws Exception {
        Map<String, String> meta = TestModels.sigmoidMetadata();
        meta.put(ModelMetadata.THRESHOLD, "0.99");
        Path model =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", meta),
                        dir.resolve("strict.onnx"));
        try (ImageClassifier strict = ImageClassifier.builder(model).build()) {
            Prediction red = strict.classify(solidPng("red2.png", RED)); // p = 0.969 < 0.99
            assertEquals("cats", red.label());
            assertEquals(1 - 1 / (1 + Math.exp(-3.45)), red.probability(), 1e-6);
        }
    }

    @Test
    void softmaxPicksTheArgmaxWithItsProbability() throws Exception {
        Path model = TestModels.writeSoftmax(dir.resolve("softmax.onnx"));
        try (ImageClassifier softmax = ImageClassifier.builder(model).build()) {
            assertEquals(ModelMetadata.OutputKind.SOFTMAX, softmax.metadata().outputKind());
            List<Path> inputs = new ArrayList<>(TestImages.photos());
            inputs.add(solidPng("red3.png", RED)); // logits (1.6, -4.7, 1.55): cats
            inputs.add(solidPng("green.png", 0x00FF00)); // logits (-2.4, 5.3, 1.05): dogs
            inputs.add(solidPng("black.png", 0)); // means -1: logits (-0.4, -0.7, 0.55): foxes
            for (Path input : inputs) {
                double[] logits =
                        TestModels.expectedLogits(
                                TestModels.channelMeansNchw(independent.preprocess(input)),
                                TestModels.SOFTMAX_W,
                                TestModels.SOFTMAX_B);
                int best = 0;
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    best = logits[k] > logits[best] ? k : best;
                }
                for (double logit : logits) {
                    sum += Math.exp(logit);
                }
                Prediction p = softmax.classify(input);
                assertArrayEquals(
                        new float[] {(float) logits[0], (float) logits[1], (float) logits[2]},
                        p.logits(),
                        (float) LOGIT_EPS,
                        input.toString());
                assertEquals(best, p.classIndex(), input.toString());
                assertEquals(List.of("cats", "dogs", "foxes").get(best), p.label());
                assertEquals(Math.exp(logits[best]) / sum, p.probability(), 1e-5, input.toString());
            }
            assertEquals("foxes", softmax.classify(dir.resolve("black.png")).label());
            assertEquals("dogs", softmax.classify(dir.resolve("green.png")).label());
        }
    }

    @Test
    void uint8NhwcModelsGetRoundedRawPixels() throws Exception {
        Map<String, String> meta = TestModels.sigmoidMetadata();
        meta.put(ModelMetadata.INPUT_LAYOUT, "NHWC");
        float scale = 1 / 127.5f;
        Path model =
                TestModels.write(
                        TestModels.uint8Nhwc(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, scale, -1f, meta),
                        dir.resolve("uint8.onnx"));
        var raw =
                new ImagePreprocessor(
                        new PreprocessingSpec(
                                TestModels.SIZE,
                                TestModels.SIZE,
                                1f,
                                0f,
                                PreprocessingSpec.Layout.NHWC));
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            for (Path photo : TestImages.photos().subList(0, 4)) {
                float[] pixels = raw.preprocess(photo);
                double[] means = new double[3];
                for (int i = 0; i < pixels.length; i++) {
                    means[i % 3] +=
                            Math.round(pixels[i]) * (double) scale - 1; // the graph's arithmetic
                }
                for (int c = 0; c < 3; c++) {
                    means[c] /= pixels.length / 3.0;
                }
                double logit =
                        TestModels.expectedLogits(
                                means, TestModels.SIGMOID_W, TestModels.SIGMOID_B)[0];
                assertEquals(
                        logit, classifier.classify(photo).logits()[0], LOGIT_EPS, photo.toString());
            }
            assertThrows(
                    IllegalStateException.class,
                    () -> classifier.runRaw(FloatBuffer.allocate(3 * 32 * 32), 1));
        }
    }

    @Test
    void batchEqualsOneByOne() throws Exception {
        List<Path> photos = TestImages.photos();
        List<Prediction> batch = sigmoid.classifyBatch(photos);
        assertEquals(photos.size(), batch.size());
        for (int i = 0; i < photos.size(); i++) {
            assertSame(sigmoid.classify(photos.get(i)), batch.get(i), photos.get(i).toString());
        }
        List<byte[]> bytes = new ArrayList<>();
        for (Path photo : photos) {
            bytes.add(Files.readAllBytes(photo));
        }
        List<Prediction> fromBytes =
                sigmoid.classifyBatchBytes(
                        bytes, photos.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(batch, fromBytes, "same batch size, same bytes: identical results");
        // a bigger batch after a smaller one grows this thread's buffer
        List<Path> twice = new ArrayList<>(photos);
        twice.addAll(photos);
        List<Prediction> doubled = sigmoid.classifyBatch(twice);
        for (int i = 0; i < twice.size(); i++) {
            assertSame(batch.get(i % photos.size()), doubled.get(i), twice.get(i).toString());
        }
        assertEquals(List.of(), sigmoid.classifyBatch(List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> sigmoid.classifyBatchBytes(bytes, List.of("only-one-name")));
    }

    @Test
    void everyInputFormGivesTheSamePrediction() throws Exception {
        Mat mat = Imgcodecs.imread(TestImages.photo("dog.2000.jpg").toString());
        Path png = dir.resolve("dog.2000.png");
        Imgcodecs.imwrite(png.toString(), mat); // lossless, so ImageIO sees OpenCV's pixels
        try {
            Prediction fromPath = sigmoid.classify(png);
            assertEquals(fromPath, sigmoid.classify(Files.readAllBytes(png), "dog.2000.png"));
            assertEquals(fromPath, sigmoid.classify(mat));
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(fromPath, sigmoid.classify(image));
            assertEquals(fromPath, sigmoid.classify(TestImages.photo("dog.2000.jpg")));
        } finally {
            mat.release();
        }
    }

    @Test
    void concurrentCallersGetIdenticalResults() throws Exception {
        List<Path> photos = TestImages.photos();
        List<Prediction> expected = new ArrayList<>();
        for (Path photo : photos) {
            expected.add(sigmoid.classify(photo));
        }
        List<Prediction> expectedBatch = sigmoid.classifyBatch(photos);
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<Void> task =
                        () -> {
                            start.await();
                            for (int round = 0; round < 5; round++) {
                                for (int i = 0; i < photos.size(); i++) {
                                    assertEquals(expected.get(i), sigmoid.classify(photos.get(i)));
                                }
                                assertEquals(expectedBatch, sigmoid.classifyBatch(photos));
                            }
                            return null;
                        };
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Void> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBadImageInABatchIsNamedAndTheClassifierStaysUsable() throws Exception {
        byte[] jpeg = Files.readAllBytes(TestImages.photo("cat.2002.jpg"));
        Path broken = Files.write(dir.resolve("broken.jpg"), java.util.Arrays.copyOf(jpeg, 5000));
        List<Path> good = TestImages.photos().subList(0, 3);
        List<Path> batch = List.of(good.get(0), broken, good.get(1));
        InvalidImageException e =
                assertThrows(InvalidImageException.class, () -> sigmoid.classifyBatch(batch));
        assertEquals(broken.toString(), e.input());
        assertTrue(e.problem().contains("truncated"), e.problem());

        Path text = Files.writeString(dir.resolve("text.jpg"), "not an image");
        assertThrows(InvalidImageException.class, () -> sigmoid.classify(text));
        assertThrows(
                InvalidImageException.class,
                () -> sigmoid.classify(new byte[] {1, 2, 3}, "three-bytes"));

        List<Prediction> after = sigmoid.classifyBatch(good);
        for (int i = 0; i < good.size(); i++) {
            assertEquals(expectedSigmoidLogit(good.get(i)), after.get(i).logits()[0], LOGIT_EPS);
        }
    }

    @Test
    void runRawMatchesClassify() throws Exception {
        List<Path> photos = TestImages.photos().subList(0, 2);
        int n = independent.tensorSize();
        FloatBuffer direct =
                ByteBuffer.allocateDirect(4 * 2 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (Path photo : photos) {
            independent.preprocess(photo, direct);
        }
        direct.flip();
        float[][] raw = sigmoid.runRaw(direct, 2);
        assertEquals(0, direct.position(), "runRaw does not move the caller's position");
        for (int i = 0; i < 2; i++) {
            assertEquals(sigmoid.classify(photos.get(i)).logits()[0], raw[i][0], 1e-6);
        }
        FloatBuffer heap = FloatBuffer.allocate(2 * n);
        for (int i = 0; i < 2 * n; i++) {
            heap.put(i, direct.get(i));
        }
        assertArrayEquals(raw[1], sigmoid.runRaw(heap, 2)[1], 1e-6f);

        var e = assertThrows(IllegalArgumentException.class, () -> sigmoid.runRaw(direct, 3));
        assertTrue(e.getMessage().contains("needs exactly " + 3 * n), e.getMessage());
        FloatBuffer bigEndian =
                ByteBuffer.allocateDirect(4 * n)
                        .order(
                                ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN
                                        ? ByteOrder.LITTLE_ENDIAN
                                        : ByteOrder.BIG_ENDIAN)
                        .asFloatBuffer();
        e = assertThrows(IllegalArgumentException.class, () -> sigmoid.runRaw(bigEndian, 1));
        assertTrue(e.getMessage().contains("native byte order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sigmoid.runRaw(direct, 0));
    }

    @Test
    void fixedBatchOfOneModelsRunImageByImage() throws Exception {
        Path model =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W,
                                TestModels.SIGMOID_B,
                                "logit",
                                TestModels.sigmoidMetadata(),
                                "1"),
                        dir.resolve("b1.onnx"));
        try (ImageClassifier single = ImageClassifier.builder(model).build()) {
            List<Path> photos = TestImages.photos().subList(0, 3);
            List<Prediction> batch = single.classifyBatch(photos);
            for (int i = 0; i < photos.size(); i++) {
                assertSame(sigmoid.classify(photos.get(i)), batch.get(i), photos.get(i).toString());
            }
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() throws Exception {
        Path model = TestModels.writeSigmoid(dir.resolve("closing.onnx"));
        ImageClassifier classifier = ImageClassifier.builder(model).build();
        Path photo = TestImages.photo("cat.2000.jpg");
        classifier.classify(photo);
        classifier.close();
        classifier.close();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> classifier.classify(photo));
        assertTrue(
                e.getMessage().contains("classify(Path) called on a closed ImageClassifier"),
                e.getMessage());
        assertTrue(e.getMessage().contains(model.toString()), e.getMessage());
        assertThrows(IllegalStateException.class, () -> classifier.classifyBatch(List.of(photo)));
        assertThrows(IllegalStateException.class, classifier::metadata);
        assertThrows(
                IllegalStateException.class,
                () -> classifier.runRaw(FloatBuffer.allocate(independent.tensorSize()), 1));
        assertTrue(classifier.toString().endsWith("closed]"));
    }

    @Test
    void missingMetadataKeysAreNamedWithTheModelFile() throws Exception {
        Map<String, String> meta = TestModels.sigmoidMetadata();
        meta.remove(ModelMetadata.OUTPUT_KIND);
        Path model =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", meta),
                        dir.resolve("no-kind.onnx"));
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(model).build());
        assertEquals(model.toString(), e.model());
        assertTrue(
                e.getMessage().contains("missing required metadata key(s) [catsdogs.output_kind]"),
                e.getMessage());
    }

    @Test
    void otherFormatVersionsAreRefused() throws Exception {
        Map<String, String> meta = TestModels.sigmoidMetadata();
        meta.put(ModelMetadata.FORMAT_VERSION, "2");
        Path model =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", meta),
                        dir.resolve("v2.onnx"));
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(model).build());
        assertTrue(
                e.getMessage().startsWith(model + ": unsupported catsdogs.format_version=\"2\""),
                e.getMessage());
    }

    @Test
    void metadataThatContradictsTheGraphIsRefused() throws Exception {
        Map<String, String> meta = TestModels.sigmoidMetadata();
        meta.put(ModelMetadata.INPUT_HEIGHT, "64");
        Path wrongSize =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", meta),
                        dir.resolve("wrong-size.onnx"));
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(wrongSize).build());
        assertTrue(e.getMessage().contains("has shape [?,3,32,32]"), e.getMessage());
        assertTrue(e.getMessage().contains("says [?,3,64,32]"), e.getMessage());

        Path wrongKind =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SOFTMAX_W,
                                TestModels.SOFTMAX_B,
                                "logits",
                                TestModels.sigmoidMetadata()),
                        dir.resolve("kind.onnx"));
        e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(wrongKind).build());
        assertTrue(e.getMessage().contains("needs 1 value(s) per image"), e.getMessage());

        Map<String, String> nhwc = TestModels.sigmoidMetadata();
        nhwc.put(ModelMetadata.INPUT_LAYOUT, "NHWC");
        Path floatNhwc =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", nhwc),
                        dir.resolve("float-nhwc.onnx"));
        e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(floatNhwc).build());
        assertTrue(e.getMessage().contains("input_layout=NHWC needs UINT8"), e.getMessage());
    }

    @Test
    void unusableModelFilesAreReportedByName() throws Exception {
        Path missing = dir.resolve("missing.onnx");
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(missing).build());
        assertEquals(missing + ": model file not found", e.getMessage());

        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "this is not protobuf");
        e = assertThrows(ModelLoadException.class, () -> ImageClassifier.builder(garbage).build());
        assertTrue(
                e.getMessage().startsWith(garbage + ": ONNX Runtime could not load the model"),
                e.getMessage());

        assertThrows(ModelLoadException.class, () -> ImageClassifier.builder(dir).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageClassifier.builder(garbage).optIntraOpThreads(-1));
    }

    @Test
    void cudaOnACpuBuildSaysWhichArtifactToUse() throws Exception {
        Assumptions.assumeFalse(
                OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime build has CUDA");
        Path model = TestModels.writeSigmoid(dir.resolve("cuda.onnx"));
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class,
                        () ->
                                ImageClassifier.builder(model)
                                        .optExecutionProvider(ExecutionProvider.CUDA)
                                        .build());
        assertTrue(
                e.getMessage().contains("com.microsoft.onnxruntime:onnxruntime_gpu"),
                e.getMessage());
    }

    @Test
    void predictionsAreValues() {
        float[] logits = {1f, 2f};
        Prediction p = new Prediction("dogs", 0.7f, logits, 1);
        logits[0] = 99f;
        assertEquals(1f, p.logits()[0], "defensive copy in");
        p.logits()[1] = 99f;
        assertEquals(2f, p.logits()[1], "defensive copy out");
        assertEquals(p, new Prediction("dogs", 0.7f, new float[] {1f, 2f}, 1));
        assertEquals(
                p.hashCode(), new Prediction("dogs", 0.7f, new float[] {1f, 2f}, 1).hashCode());
        assertNotEquals(p, new Prediction("dogs", 0.7f, new float[] {1f, 3f}, 1));
    }

    /** Same label and index, logits and probability equal up to float rounding of the batch run. */
    private static void assertSame(Prediction expected, Prediction actual, String what) {
        assertEquals(expected.label(), actual.label(), what);
        assertEquals(expected.classIndex(), actual.classIndex(), what);
        assertArrayEquals(expected.logits(), actual.logits(), 1e-5f, what);
        assertEquals(expected.probability(), actual.probability(), 1e-5f, what);
    }
}
