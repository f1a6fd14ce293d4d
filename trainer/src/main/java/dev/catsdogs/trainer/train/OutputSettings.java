package dev.catsdogs.trainer.train;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a run leaves: its directory, the samples picture and the ONNX export.
 *
 * @param dir the run directory
 * @param sampleImages images shown in samples.png
 * @param export whether to export the trained model to ONNX at the end
 * @param parityImages validation images of the export's parity check
 */
@RecordBuilder
public record OutputSettings(Path dir, int sampleImages, boolean export, int parityImages)
        implements OutputSettingsBuilder.With {

    /** Images in samples.png: a 4x4 grid. */
    public static final int DEFAULT_SAMPLE_IMAGES = 16;

    /** Validation images of the export's parity check. */
    public static final int DEFAULT_PARITY_IMAGES = 64;

    public OutputSettings {
        Objects.requireNonNull(dir, "dir");
        Setting.SAMPLE_IMAGES.require(sampleImages >= 0, sampleImages, ">= 0");
        Setting.PARITY_IMAGES.require(parityImages >= 1, parityImages, ">= 1");
    }

    /** Everything in {@code dir}: a 4x4 samples grid, the export checked on 64 images. */
    public static OutputSettings in(Path dir) {
        return new OutputSettings(dir, DEFAULT_SAMPLE_IMAGES, true, DEFAULT_PARITY_IMAGES);
    }
}
