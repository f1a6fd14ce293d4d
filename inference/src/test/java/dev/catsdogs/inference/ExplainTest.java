package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImageClassifier#explain} on tiny models whose maps are known: the input average-pooled in
 * 8 x 8 blocks (a 4 x 4 map at 32 pixels), weighted per channel. A red region raises the "dogs"
 * logit (weight +2.5 on red) exactly where it is, so the map must be high there and nowhere else.
 */
class ExplainTest {

    // Per cell, the dogs logit contribution (without the bias) of a scaled pixel: red (1,-1,-1)
    // gives 2.5 + 1.5 - 0.75 = 3.25, black (-1,-1,-1) gives -2.5 + 1.5 - 0.75 = -1.75.
    private static final int RED = 0xFF0000;
    private static final int BLACK = 0x000000;

    @TempDir Path dir;

    /** A 64 x 48 photo (not square: x and y must not be swapped) of {@code background}. */
    private static BufferedImage photo(int background, int quadrantColour, boolean topLeft) {
        BufferedImage image = TestImages.solid(64, 48, background);
        int x0 = topLeft ? 0 : 32;
        int y0 = topLeft ? 0 : 24;
        for (int y = y0; y < y0 + 24; y++) {
            for (int x = x0; x < x0 + 32; x++) {
                image.setRGB(x, y, quadrantColour);
            }
        }
        return image;
    }

    private Path sigmoidModel() throws Exception {
        return TestModels.write(
                TestModels.withMaps(
                        TestModels.SIGMOID_W, TestModels.SIGMOID_B, TestModels.sigmoidMetadata()),
                dir.resolve("maps.onnx"));
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    @Test
    void dogEvidenceIsWhereTheRedIs() throws Exception {
        // Red everywhere but a black bottom-right quadrant: dogs, with the evidence in the red.
        Path file = TestImages.write(photo(RED, BLACK, false), "png", dir.resolve("red.png"));
        try (ImageClassifier classifier = ImageClassifier.builder(sigmoidModel()).build()) {
            assertTrue(classifier.hasActivationMaps());
            Explanation e = classifier.explain(file);
            assertEquals(classifier.classify(file), e.prediction(), "the same answer as classify");
            assertEquals("dogs", e.prediction().label());
            assertEquals(64, e.width());
            assertEquals(48, e.height());
            assertEquals(64 * 48, e.map().length);
            assertEquals(4, e.coarseWidth());
            assertEquals(4, e.coarseHeight());
            // The identity the maps are built on: logit = mean(map) + bias.
            assertEquals(
                    e.prediction().logits()[0] - TestModels.SIGMOID_B[0],
                    mean(e.coarseMap()),
                    1e-5);
            float[] coarse = e.coarseMap();
            assertEquals(3.25f, coarse[0], 1e-4, "top-left cell: red");
            assertEquals(-1.75f, coarse[15], 1e-4, "bottom-right cell: black");
            assertTrue(e.value(5, 5) > 3f, "top-left of the photo: " + e.value(5, 5));
            assertTrue(e.value(60, 44) < -1.5f, "bottom-right of the photo: " + e.value(60, 44));
            assertTrue(e.value(60, 5) > 3f, "top-right is red too: " + e.value(60, 5));
            assertTrue(e.value(5, 44) > 3f, "bottom-left is red too: " + e.value(5, 44));
        }
    }

    @Test
    void catsGetTheNegatedDogsMap() throws Exception {
        // Black with a red top-left quadrant: mean -0.5 + 0.2 bias, cats; cat evidence in the
        // black.
        Path file = TestImages.write(photo(BLACK, RED, true), "png", dir.resolve("black.png"));
        try (ImageClassifier classifier = ImageClassifier.builder(sigmoidModel()).build()) {
            Explanation e = classifier.explain(file);
            assertEquals("cats", e.prediction().label());
            assertEquals(
                    -(e.prediction().logits()[0] - TestModels.SIGMOID_B[0]),
                    mean(e.coarseMap()),
                    1e-5);
            assertEquals(-3.25f, e.coarseMap()[0], 1e-4, "red: evidence against cats");
            assertTrue(e.value(5, 5) < -3f, "top-left: " + e.value(5, 5));
            assertTrue(e.value(60, 44) > 1.5f, "bottom-right: " + e.value(60, 44));
        }
    }

    @Test
    void softmaxMapIsThePredictedClassChannel() throws Exception {
        Path model =
                TestModels.write(
                        TestModels.withMaps(
                                TestModels.SOFTMAX_W,
                                TestModels.SOFTMAX_B,
                                TestModels.softmaxMetadata()),
                        dir.resolve("softmax-maps.onnx"));
        Path file = TestImages.write(photo(BLACK, RED, true), "png", dir.resolve("p.png"));
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            Explanation e = classifier.explain(file);
            int k = e.prediction().classIndex();
            assertEquals(classifier.classify(file), e.prediction());
            assertEquals(
                    e.prediction().logits()[k] - TestModels.SOFTMAX_B[k],
                    mean(e.coarseMap()),
                    1e-5);
        }
    }

    @Test
    void explainingADecodedImageMatchesTheFile() throws Exception {
        BufferedImage image = photo(RED, BLACK, false);
        Path file = TestImages.write(image, "png", dir.resolve("same.png"));
        try (ImageClassifier classifier = ImageClassifier.builder(sigmoidModel()).build()) {
            Explanation fromFile = classifier.explain(file);
            Explanation fromImage = classifier.explain(ImageInput.of(image, "in memory"));
            assertEquals(fromFile.prediction(), fromImage.prediction());
            assertArrayEquals(fromFile.map(), fromImage.map());
        }
    }

    @Test
    void aModelWithoutMapsSaysSo() throws Exception {
        Path model = TestModels.writeSigmoid(dir.resolve("plain.onnx"));
        Path file = TestImages.write(photo(RED, BLACK, false), "png", dir.resolve("x.png"));
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            assertFalse(classifier.hasActivationMaps());
            assertTrue(classifier.classify(file) != null, "it still classifies");
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> classifier.explain(file));
            assertTrue(e.getMessage().contains("has no activation maps"), e.getMessage());
            assertTrue(e.getMessage().contains(model.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("catsdogs export"), e.getMessage());
        }
    }

    @Test
    void aBadFileIsNamed() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jpg"), "not a picture");
        try (ImageClassifier classifier = ImageClassifier.builder(sigmoidModel()).build()) {
            InvalidImageException e =
                    assertThrows(InvalidImageException.class, () -> classifier.explain(bad));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        }
    }

    @Test
    void metadataNamingAMissingMapsOutputIsRefused() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>(TestModels.sigmoidMetadata());
        meta.put(ModelMetadata.CAM_OUTPUT, "heatmaps");
        Path model =
                TestModels.write(
                        TestModels.floatNchw(
                                TestModels.SIGMOID_W, TestModels.SIGMOID_B, "logit", meta),
                        dir.resolve("lying.onnx"));
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class, () -> ImageClassifier.builder(model).build());
        assertTrue(e.getMessage().contains("catsdogs.cam_output=heatmaps"), e.getMessage());
    }

    @Test
    void pictureHeatsTheEvidenceAndLeavesTheRestAlone() throws Exception {
        Path file = TestImages.write(photo(RED, BLACK, false), "png", dir.resolve("r.png"));
        try (ImageClassifier classifier = ImageClassifier.builder(sigmoidModel()).build()) {
            Explanation e = classifier.explain(file);
            BufferedImage picture = ExplanationPicture.render(e, List.of(), 1024);
            assertEquals(64, picture.getWidth(), "never enlarged");
            assertEquals(48, picture.getHeight());
            // Bottom-right is black with negative evidence: the photo shows through untouched.
            assertEquals(BLACK, picture.getRGB(60, 44) & 0xFFFFFF);
            // Top-left is the strongest evidence: heat is laid over the red.
            assertNotEquals(RED, picture.getRGB(5, 5) & 0xFFFFFF);

            BufferedImage small = ExplanationPicture.render(e, List.of("dogs 90.0%"), 32);
            assertEquals(32, small.getWidth(), "scaled to the longest side");
            assertEquals(24, small.getHeight());
        }
    }

    @Test
    void captionNeverRoundsUpToCertainty() {
        Prediction p =
                new Prediction("dogs", 0.99995f, new float[] {9.9f}, 1, List.of("cats", "dogs"));
        assertEquals("dogs 99.9%", ExplanationPicture.caption(p));
    }
}
