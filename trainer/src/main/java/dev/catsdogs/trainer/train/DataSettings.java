package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.TutorialDataset;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where a run's images come from and how they are fed: the part of {@link TrainingConfig} that
 * Keras' {@code image_dataset_from_directory} and augmentation layers hold.
 *
 * @param dir images on disk (split or class-folder layout), or null to download the tutorial's zip
 * @param url where the tutorial's zip is downloaded from when {@code dir} is null
 * @param imageSize input height and width
 * @param batchSize images per step
 * @param augmentation random changes to the training images ({@link Augmentation#NONE}: none)
 * @param augmentViews with augmentation and caching: augmented views of each training image cached
 *     per phase, one drawn per epoch; 0 leaves the training split uncached (a new draw every epoch,
 *     exact)
 * @param fastJpegDecode whether JPEGs are decoded straight at 1/8, 1/4 or 1/2 size (see {@code
 *     ImagePreprocessor.Builder#optFastJpegDecode}); recorded in the model, whose classifier then
 *     decodes the same way
 */
@RecordBuilder
public record DataSettings(
        Path dir,
        URI url,
        int imageSize,
        int batchSize,
        Augmentation augmentation,
        int augmentViews,
        boolean fastJpegDecode)
        implements DataSettingsBuilder.With {

    /** The tutorial's input size. */
    public static final int DEFAULT_IMAGE_SIZE = 160;

    /** The tutorial's batch size. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** Largest input side: far above any classifier input, small enough to fit in memory. */
    public static final int MAX_IMAGE_SIZE = 1024;

    /** Largest batch: a batch is copied into one array ({@code 3 * size^2 * 4} bytes per image). */
    public static final int MAX_BATCH_SIZE = 4096;

    /** Largest {@code augmentViews}: each view costs a pass of the frozen layers over the data. */
    public static final int MAX_AUGMENT_VIEWS = 100;

    /** The tutorial's data, downloaded, at its size and batch, without augmentation. */
    public static final DataSettings DEFAULT =
            new DataSettings(
                    null,
                    TutorialDataset.DEFAULT_URL,
                    DEFAULT_IMAGE_SIZE,
                    DEFAULT_BATCH_SIZE,
                    Augmentation.NONE,
                    0,
                    true);

    public DataSettings {
        url = url == null ? TutorialDataset.DEFAULT_URL : url;
        augmentation = augmentation == null ? Augmentation.NONE : augmentation;
        Setting.IMAGE_SIZE.require(
                imageSize >= 32 && imageSize <= MAX_IMAGE_SIZE, imageSize, "32.." + MAX_IMAGE_SIZE);
        Setting.BATCH_SIZE.require(
                batchSize >= 1 && batchSize <= MAX_BATCH_SIZE, batchSize, "1.." + MAX_BATCH_SIZE);
        Setting.AUGMENT_VIEWS.require(
                augmentViews >= 0 && augmentViews <= MAX_AUGMENT_VIEWS,
                augmentViews,
                "0.." + MAX_AUGMENT_VIEWS);
        Setting.AUGMENT_VIEWS.require(
                augmentViews == 0 || augmentation.enabled(),
                augmentViews,
                "0 without augmentation (there is nothing to draw views of)");
    }
}
