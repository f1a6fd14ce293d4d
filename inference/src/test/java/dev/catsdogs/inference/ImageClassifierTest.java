package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.catsdogs.inference.internal.Internals;
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
        // The test model has no catsdogs.input_jpeg_decode: it was "trained" on full-size decoding.
        independent =
                ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(TestModels.SIZE))
                        .optFastJpegDecode(false)
                        .build();
    }

    @AfterAll
    static void close() {
        sigmoid.close();
    }

    private static double expectedSigmoidLogit(Path image) throws InvalidImageException {
        double[] means = TestModels.channelMeansNchw(independent.preprocess(ImageInput.of(image)));
        return TestModels.expectedLogits(means, TestModels.SIGMOID_W, TestModels.SIGMOID_B)[0];
    }

    private static Path solidPng(String name, int rgb) {
        return TestImages.write(TestImages.solid(10, 6, rgb), "png", dir.resolve(name));
    }

    @Test
    void metadataIsReadFromTheModel() {
        assertEquals(List.of("cats", "dogs"), sigmoid.metadata().classNames());
        assertEquals("42", sigmoid.metadata().provenance().get("seed"));
        assertEquals(
                PreprocessingSpec.mobileNetV2(TestModels.SIZE),
                Internals.preprocessor(sigmoid).spec());
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

        // Both classes of a sigmoid model: [1 - p, p], most probable first in topK.
        float p = (float) (1 / (1 + Math.exp(-3.45)));
        assertArrayEquals(new float[] {1 - p, p}, red.probabilities(), 1e-6f);
        assertEquals(
                List.of(new ClassProbability("dogs", p, 1), new ClassProbability("cats", 1 - p, 0)),
                red.topK(2));
        assertEquals(List.of(new ClassProbability("dogs", p, 1)), red.topK(1));
        assertEquals("cats", blue.topK(5).get(0).label(), "k over the class count: all classes");
        assertEquals(2, blue.topK(5).size());
        assertThrows(IllegalArgumentException.class, () -> red.topK(0));
        red.probabilities()[0] = 42f;
        assertEquals(1 - p, red.probabilities()[0], 1e-6f, "a new array each call");
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
    void jpegDecodingFollowsTheModelUnlessOverridden() throws Exception {
        Map<String, String> meta = TestModels.sigmoidMetadata();
        meta.put(ModelMetadata.INPUT_JPEG_DECODE, ModelMetadata.JPEG_DECODE_SCALED);
        Path scaledModel =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", meta),
                        dir.resolve("scaled.onnx"));
        Path photo = TestImages.photo("cat.2000.jpg");
        float[] scaledTensor;
        try (ImagePreprocessor scaled =
                ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(TestModels.SIZE))
                        .optFastJpegDecode(true)
                        .build()) {
            scaledTensor = scaled.preprocess(ImageInput.of(photo));
        }
        double scaledLogit =
                TestModels.expectedLogits(
                        TestModels.channelMeansNchw(scaledTensor),
                        TestModels.SIGMOID_W,
                        TestModels.SIGMOID_B)[0];
        double fullLogit = expectedSigmoidLogit(photo);
        assertTrue(Math.abs(scaledLogit - fullLogit) > 10 * LOGIT_EPS, "the two decodings differ");

        assertFalse(Internals.preprocessor(sigmoid).fastJpegDecode(), "no key: full decoding");
        assertEquals(fullLogit, sigmoid.classify(photo).logits()[0], LOGIT_EPS);
        try (ImageClassifier follows = ImageClassifier.builder(scaledModel).build();
                ImageClassifier overridden =
                        ImageClassifier.builder(scaledModel).optFastJpegDecode(false).build();
                ImageClassifier oldModelScaled =
                        ImageClassifier.builder(dir.resolve("sigmoid.onnx"))
                                .optFastJpegDecode(true)
                                .build()) {
            assertTrue(follows.metadata().fastJpegDecode());
            assertTrue(Internals.preprocessor(follows).fastJpegDecode());
            assertEquals(scaledLogit, follows.classify(photo).logits()[0], LOGIT_EPS);
            assertFalse(Internals.preprocessor(overridden).fastJpegDecode());
            assertEquals(fullLogit, overridden.classify(photo).logits()[0], LOGIT_EPS);
            assertTrue(Internals.preprocessor(oldModelScaled).fastJpegDecode());
            assertEquals(scaledLogit, oldModelScaled.classify(photo).logits()[0], LOGIT_EPS);
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
                                TestModels.channelMeansNchw(
                                        independent.preprocess(ImageInput.of(input))),
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
                float[] probabilities = p.probabilities();
                for (int k = 0; k < 3; k++) {
                    assertEquals(
                            Math.exp(logits[k]) / sum, probabilities[k], 1e-5, input.toString());
                }
                List<ClassProbability> top = p.topK(3);
                assertEquals(new ClassProbability(p.label(), p.probability(), best), top.get(0));
                for (int k = 1; k < 3; k++) {
                    ClassProbability c = top.get(k);
                    assertTrue(top.get(k - 1).probability() >= c.probability(), top.toString());
                    assertEquals(probabilities[c.classIndex()], c.probability());
                    assertEquals(List.of("cats", "dogs", "foxes").get(c.classIndex()), c.label());
                }
                assertEquals(top.subList(0, 2), p.topK(2));
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
                ImagePreprocessor.builder(
                                new PreprocessingSpec(
                                        TestModels.SIZE,
                                        TestModels.SIZE,
                                        1f,
                                        0f,
                                        PreprocessingSpec.Layout.NHWC))
                        .optFastJpegDecode(false) // as the model says (no key)
                        .build();
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            for (Path photo : TestImages.photos().subList(0, 4)) {
                float[] pixels = raw.preprocess(ImageInput.of(photo));
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
                    () -> Internals.runRaw(classifier, FloatBuffer.allocate(3 * 32 * 32), 1));
            List<Path> two = TestImages.photos().subList(0, 2);
            List<Outcome> outcomes =
                    classifier.classifyAll(
                            List.of(
                                    ImageInput.of(two.get(0)),
                                    ImageInput.of(new byte[] {9, 9}, "junk"),
                                    ImageInput.of(two.get(1))));
            assertSamePrediction(
                    classifier.classify(two.get(0)), outcomes.get(0).predictionOrThrow(), "0");
            assertFalse(outcomes.get(1).isSuccess());
            assertSamePrediction(
                    classifier.classify(two.get(1)), outcomes.get(2).predictionOrThrow(), "2");
        }
    }

    @Test
    void batchEqualsOneByOne() throws Exception {
        List<Path> photos = TestImages.photos();
        List<Prediction> batch = predictions(sigmoid.classifyAll(inputs(photos)));
        assertEquals(photos.size(), batch.size());
        for (int i = 0; i < photos.size(); i++) {
            assertSamePrediction(
                    sigmoid.classify(photos.get(i)), batch.get(i), photos.get(i).toString());
        }
        List<ImageInput> bytes = new ArrayList<>();
        for (Path photo : photos) {
            bytes.add(ImageInput.of(Files.readAllBytes(photo), photo.getFileName().toString()));
        }
        List<Prediction> fromBytes = predictions(sigmoid.classifyAll(bytes));
        assertEquals(batch, fromBytes, "same batch size, same bytes: identical results");
        // a bigger batch after a smaller one grows this thread's buffer
        List<Path> twice = new ArrayList<>(photos);
        twice.addAll(photos);
        List<Prediction> doubled = predictions(sigmoid.classifyAll(inputs(twice)));
        for (int i = 0; i < twice.size(); i++) {
            assertSamePrediction(
                    batch.get(i % photos.size()), doubled.get(i), twice.get(i).toString());
        }
        assertEquals(List.of(), sigmoid.classifyAll(List.of()));
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
        List<Prediction> expectedBatch = predictions(sigmoid.classifyAll(inputs(photos)));
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
                                assertEquals(
                                        expectedBatch,
                                        predictions(sigmoid.classifyAll(inputs(photos))));
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
        List<Outcome> outcomes = sigmoid.classifyAll(inputs(batch));
        assertEquals(3, outcomes.size());
        assertTrue(outcomes.get(0).isSuccess() && outcomes.get(2).isSuccess(), outcomes.toString());
        assertFalse(outcomes.get(1).isSuccess());
        assertTrue(outcomes.get(1).prediction().isEmpty());
        InvalidImageException e = outcomes.get(1).error().orElseThrow();
        assertEquals(broken.toString(), e.input());
        assertTrue(e.problem().contains("truncated"), e.problem());
        assertEquals(
                e, assertThrows(InvalidImageException.class, outcomes.get(1)::predictionOrThrow));
        assertEquals(broken.toString(), outcomes.get(1).input().name());
        // The good ones around the bad one are right (packed into one run without it).
        assertEquals(
                expectedSigmoidLogit(good.get(0)),
                outcomes.get(0).predictionOrThrow().logits()[0],
                LOGIT_EPS);
        assertEquals(
                expectedSigmoidLogit(good.get(1)),
                outcomes.get(2).predictionOrThrow().logits()[0],
                LOGIT_EPS);

        Path text = Files.writeString(dir.resolve("text.jpg"), "not an image");
        assertThrows(InvalidImageException.class, () -> sigmoid.classify(text));
        assertThrows(
                InvalidImageException.class,
                () -> sigmoid.classify(new byte[] {1, 2, 3}, "three-bytes"));

        List<Prediction> after = predictions(sigmoid.classifyAll(inputs(good)));
        for (int i = 0; i < good.size(); i++) {
            assertEquals(expectedSigmoidLogit(good.get(i)), after.get(i).logits()[0], LOGIT_EPS);
        }
    }

    @Test
    void whateverOneImageThrowsFailsOnlyThatImage() throws Exception {
        // A Java image whose pixels cannot be read: not an InvalidImageException but a plain
        // RuntimeException from deep inside the preprocessing, like OpenCV's CvException.
        BufferedImage unreadable =
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB) {
                    @Override
                    public int[] getRGB(
                            int x, int y, int w, int h, int[] rgb, int offset, int scansize) {
                        throw new IllegalStateException("camera disconnected");
                    }
                };
        Path photo = TestImages.photos().get(0);
        Mat mat = new Mat(4, 4, org.opencv.core.CvType.CV_32FC1); // unsupported type
        try {
            List<Outcome> outcomes =
                    sigmoid.classifyAll(
                            List.of(
                                    ImageInput.of(unreadable, "frame-17"),
                                    ImageInput.of(photo),
                                    ImageInput.of(mat, "float-mat"),
                                    ImageInput.of(new byte[0], "empty-upload"),
                                    ImageInput.of(dir.resolve("missing.jpg"))));
            InvalidImageException e = outcomes.get(0).error().orElseThrow();
            assertEquals("frame-17", e.input());
            assertTrue(e.problem().contains("camera disconnected"), e.problem());
            assertTrue(e.getCause() instanceof IllegalStateException);
            assertSamePrediction(
                    sigmoid.classify(photo), outcomes.get(1).predictionOrThrow(), "packed");
            assertEquals("float-mat", outcomes.get(2).error().orElseThrow().input());
            assertTrue(
                    outcomes.get(2).error().orElseThrow().problem().contains("CV_32FC1"),
                    outcomes.get(2).toString());
            assertEquals("empty-upload", outcomes.get(3).error().orElseThrow().input());
            assertTrue(outcomes.get(4).error().orElseThrow().problem().contains("file not found"));
            // All bad: no model run at all, every input still answered.
            List<Outcome> allBad =
                    sigmoid.classifyAll(List.of(ImageInput.of(new byte[] {1}, "one-byte")));
            assertEquals("one-byte", allBad.get(0).error().orElseThrow().input());
        } finally {
            mat.release();
        }
    }

    @Test
    void runRawMatchesClassify() throws Exception {
        List<Path> photos = TestImages.photos().subList(0, 2);
        int n = independent.tensorSize();
        FloatBuffer direct =
                ByteBuffer.allocateDirect(4 * 2 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (Path photo : photos) {
            independent.preprocess(ImageInput.of(photo), direct);
        }
        direct.flip();
        float[][] raw = Internals.runRaw(sigmoid, direct, 2);
        assertEquals(0, direct.position(), "runRaw does not move the caller's position");
        for (int i = 0; i < 2; i++) {
            assertEquals(sigmoid.classify(photos.get(i)).logits()[0], raw[i][0], 1e-6);
        }
        FloatBuffer heap = FloatBuffer.allocate(2 * n);
        for (int i = 0; i < 2 * n; i++) {
            heap.put(i, direct.get(i));
        }
        assertArrayEquals(raw[1], Internals.runRaw(sigmoid, heap, 2)[1], 1e-6f);

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> Internals.runRaw(sigmoid, direct, 3));
        assertTrue(e.getMessage().contains("needs exactly " + 3 * n), e.getMessage());
        FloatBuffer bigEndian =
                ByteBuffer.allocateDirect(4 * n)
                        .order(
                                ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN
                                        ? ByteOrder.LITTLE_ENDIAN
                                        : ByteOrder.BIG_ENDIAN)
                        .asFloatBuffer();
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Internals.runRaw(sigmoid, bigEndian, 1));
        assertTrue(e.getMessage().contains("native byte order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Internals.runRaw(sigmoid, direct, 0));
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
            List<Prediction> batch = predictions(single.classifyAll(inputs(photos)));
            for (int i = 0; i < photos.size(); i++) {
                assertSamePrediction(
                        sigmoid.classify(photos.get(i)), batch.get(i), photos.get(i).toString());
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
        assertThrows(
                IllegalStateException.class,
                () -> classifier.classifyAll(List.of(ImageInput.of(photo))));
        assertThrows(IllegalStateException.class, classifier::metadata);
        assertThrows(
                IllegalStateException.class,
                () ->
                        Internals.runRaw(
                                classifier, FloatBuffer.allocate(independent.tensorSize()), 1));
        assertThrows(IllegalStateException.class, () -> Internals.preprocessor(classifier));
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
        Path folder = Files.createDirectory(dir.resolve("folder.onnx"));
        assertEquals(
                folder + ": is a directory, not a model file",
                assertThrows(
                                ModelLoadException.class,
                                () -> ImageClassifier.builder(folder).build())
                        .getMessage());
        assertEquals(
                "/dev/zero: not a regular file (a FIFO, device or socket)",
                assertThrows(
                                ModelLoadException.class,
                                () -> ImageClassifier.builder(Path.of("/dev/zero")).build())
                        .getMessage());

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
        List<String> classes = List.of("cats", "dogs");
        Prediction p = new Prediction("dogs", 0.7f, logits, 1, classes);
        logits[0] = 99f;
        assertEquals(1f, p.logits()[0], "defensive copy in");
        p.logits()[1] = 99f;
        assertEquals(2f, p.logits()[1], "defensive copy out");
        assertEquals(p, new Prediction("dogs", 0.7f, new float[] {1f, 2f}, 1, classes));
        assertEquals(
                p.hashCode(),
                new Prediction("dogs", 0.7f, new float[] {1f, 2f}, 1, classes).hashCode());
        assertNotEquals(p, new Prediction("dogs", 0.7f, new float[] {1f, 3f}, 1, classes));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Prediction("cats", 0.7f, new float[] {1f, 2f}, 1, classes),
                "label must be class classIndex");
        assertThrows(
                IllegalArgumentException.class,
                () -> new Prediction("dogs", 0.7f, new float[] {1f, 2f, 3f}, 1, classes));
    }

    private static List<ImageInput> inputs(List<Path> files) {
        return files.stream().map(ImageInput::of).toList();
    }

    /** The predictions of outcomes that must all have succeeded. */
    private static List<Prediction> predictions(List<Outcome> outcomes) {
        List<Prediction> predictions = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            assertTrue(outcome.isSuccess(), outcome.toString());
            predictions.add(outcome.prediction().orElseThrow());
        }
        return predictions;
    }

    /** Same label and index, logits and probability equal up to float rounding of the batch run. */
    private static void assertSamePrediction(Prediction expected, Prediction actual, String what) {
        assertEquals(expected.label(), actual.label(), what);
        assertEquals(expected.classIndex(), actual.classIndex(), what);
        assertArrayEquals(expected.logits(), actual.logits(), 1e-5f, what);
        assertEquals(expected.probability(), actual.probability(), 1e-5f, what);
    }
}
