package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.nio.file.Path;

/** Default locations, relative to the installation the launcher runs from. */
final class Installation {

    private Installation() {}

    /**
     * The repository root, passed by the launcher as {@code -Dcatsdogs.home}; else the working
     * directory.
     */
    static Path home() {
        String home = System.getProperty("catsdogs.home");
        return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().normalize();
    }

    /** The shipped ImageNet MobileNetV2, the default {@code --weights}. */
    static Path defaultWeights() {
        return home().resolve(MobileNetV2Weights.SHIPPED_FILE);
    }
}
