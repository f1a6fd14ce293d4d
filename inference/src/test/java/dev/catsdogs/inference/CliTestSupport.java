package dev.catsdogs.inference;

import java.io.IOException;
import java.nio.file.Path;

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
