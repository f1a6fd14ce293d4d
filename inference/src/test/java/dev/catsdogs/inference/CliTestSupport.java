package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.JsonStrings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the package-private test helpers to the CLI tests in {@code dev.catsdogs.inference.cli}.
 */
public final class CliTestSupport {

    private CliTestSupport() {}

    public static Path writeSigmoidModel(Path file) throws IOException {
        return TestModels.writeSigmoid(file);
    }

    /** A sigmoid model whose logit is always NaN, as a diverged training run would export. */
    public static Path writeNanModel(Path file) throws IOException {
        return TestModels.write(
                TestModels.floatNchw(
                        TestModels.SIGMOID_W,
                        new float[] {Float.NaN},
                        "logit",
                        TestModels.sigmoidMetadata()),
                file);
    }

    /** A sigmoid model with activation maps (see {@code TestModels.withMaps}). */
    public static Path writeSigmoidModelWithMaps(Path file) throws IOException {
        return TestModels.write(
                TestModels.withMaps(
                        TestModels.SIGMOID_W, TestModels.SIGMOID_B, TestModels.sigmoidMetadata()),
                file);
    }

    public static Path writeSoftmaxModel(Path file) throws IOException {
        return TestModels.writeSoftmax(file);
    }

    /**
     * A softmax model over {@code labels} (3 or more): logit {@code j} is {@code (j + 1) * mean(R)
     * - j * mean(G)} of the scaled channels, so that a solid image's class can be worked out.
     */
    public static Path writeSoftmaxModel(Path file, List<String> labels) throws IOException {
        int k = labels.size();
        float[][] w = new float[3][k];
        for (int j = 0; j < k; j++) {
            w[0][j] = j + 1;
            w[1][j] = -j;
        }
        return TestModels.write(
                TestModels.floatNchw(
                        w,
                        new float[k],
                        "logits",
                        TestModels.metadata("softmax", JsonStrings.format(labels), "NCHW")),
                file);
    }

    /** An 8 x 8 PNG of one colour ({@code 0xRRGGBB}). */
    public static Path writeSolidPng(Path file, int rgb) {
        return TestImages.write(TestImages.solid(8, 8, rgb), "png", file);
    }

    /** The shared cats-vs-dogs data set; may be absent outside CI (callers check). */
    public static Path sharedCatsAndDogs() {
        return TestImages.sharedCatsAndDogs();
    }

    public static Path photo(String name) {
        return TestImages.photo(name);
    }

    public static Path writeSmallBmp(Path file) {
        return TestImages.write(TestImages.solid(8, 8, 0x336699), "bmp", file);
    }

    public static Path writeSmallPng(Path file) {
        return TestImages.write(TestImages.solid(8, 8, 0x336699), "png", file);
    }
}
