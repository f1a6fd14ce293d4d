package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.TutorialDataset;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.Setting;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}'s options of {@link DataSettings}: the images and how they are fed. */
final class DataOptions {

    private static final Map<Setting, String> OPTIONS =
            Map.of(
                    Setting.IMAGE_SIZE, "--image-size",
                    Setting.BATCH_SIZE, "--batch-size",
                    Setting.AUGMENT_VIEWS, "--augment-views");

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Images: train/ validation/ [test/] of class folders, or class folders only"
                            + " (split 80/10/10 by --seed). Default: download the tutorial's"
                            + " cats_and_dogs_filtered.zip once.")
    private Path data;

    @Option(
            names = "--data-url",
            paramLabel = "URL",
            description = "Where the tutorial's zip is downloaded from.")
    private URI dataUrl = TutorialDataset.DEFAULT_URL;

    @Option(names = "--image-size", description = "Input size (default: ${DEFAULT-VALUE}).")
    private int imageSize = DataSettings.DEFAULT_IMAGE_SIZE;

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    private int batchSize = DataSettings.DEFAULT_BATCH_SIZE;

    @Option(
            names = "--augment",
            paramLabel = "SPEC",
            description =
                    "Random changes to training images, Keras' layers on the resized image:"
                            + " none, or a list of flip, rotate=F (F of a full turn), zoom=F,"
                            + " contrast=F, e.g. flip,rotate=0.2 (default: the recipe's). Bilinear,"
                            + " reflected border; reproducible from --seed and the epoch.")
    private String augment;

    @Option(
            names = "--augment-views",
            paramLabel = "K",
            description =
                    "With --augment: cache K augmented views of every training image per phase and"
                        + " draw one per epoch (K passes of the frozen layers, instead of one per"
                        + " epoch). Default 0: the training split is not cached, every epoch draws"
                        + " anew (exact).")
    private int augmentViews;

    @Option(
            names = "--full-jpeg-decode",
            negatable = false,
            description =
                    "Decode every JPEG at full size before the resize. By default a JPEG is"
                            + " decoded straight at 1/8, 1/4 or 1/2 size (the smallest that still"
                            + " covers --image-size; several times faster). The model records"
                            + " which, and the classifier decodes the same way.")
    private boolean fullJpegDecode;

    /**
     * The data settings, {@code recipe}'s augmentation unless {@code --augment} is given.
     *
     * @throws picocli.CommandLine.ParameterException (a usage error) naming the option at fault
     */
    DataSettings settings(Recipe recipe) {
        UsageErrors errors = new UsageErrors(command);
        if (data != null && !Files.isDirectory(data)) {
            throw errors.error(
                    "--data "
                            + data
                            + ": "
                            + (Files.exists(data) ? "not a directory" : "not found")
                            + "; expected a directory of class folders");
        }
        Augmentation augmentation =
                augment != null
                        ? errors.parse("--augment", () -> Augmentation.parse(augment))
                        : recipe.augmentation();
        return errors.build(
                () ->
                        new DataSettings(
                                data,
                                dataUrl,
                                imageSize,
                                batchSize,
                                augmentation,
                                augmentViews,
                                !fullJpegDecode),
                OPTIONS);
    }

    /** The images' directory: {@code --data}, or the tutorial's zip downloaded (once). */
    Path directory() throws IOException {
        return data != null ? data : TutorialDataset.builder().optUrl(dataUrl).build().resolve();
    }
}
