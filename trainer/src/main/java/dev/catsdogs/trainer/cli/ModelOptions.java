package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.train.ModelSettings;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}'s options of {@link ModelSettings}: weights, dropout, where fine-tuning starts. */
final class ModelOptions {

    private static final Map<Setting, String> OPTIONS =
            Map.of(Setting.DROPOUT, "--dropout", Setting.FINE_TUNE_AT, "--fine-tune-at");

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--weights",
            paramLabel = "PATH|URL",
            description =
                    "ImageNet MobileNetV2 as ONNX (default: the shipped"
                            + " models/mobilenet_v2_1.0_224_int8_per_tensor.onnx).")
    private String weights;

    @Option(
            names = "--weights-sha256",
            paramLabel = "HEX",
            description = "Expected SHA-256 of a downloaded --weights.")
    private String weightsSha256;

    @Option(
            names = "--dropout",
            paramLabel = "F",
            description =
                    "Dropout before the Dense layer, in training only (default: the recipe's; 0"
                            + " for seed).")
    private Float dropout;

    @Option(
            names = "--fine-tune-at",
            description =
                    "First trainable Keras layer of the base when fine-tuning (default:"
                            + " ${DEFAULT-VALUE}, block_11_expand_BN).")
    private int fineTuneAt = ModelSettings.DEFAULT_FINE_TUNE_AT;

    /**
     * The model settings, {@code recipe}'s dropout unless {@code --dropout} is given.
     *
     * @throws picocli.CommandLine.ParameterException (a usage error) naming the option at fault
     */
    ModelSettings settings(Recipe recipe) {
        UsageErrors errors = new UsageErrors(command);
        if (weights != null
                && !WeightsOption.isUrl(weights)
                && !Files.isRegularFile(Path.of(weights))) {
            throw errors.error(
                    "--weights "
                            + weights
                            + ": "
                            + (Files.isDirectory(Path.of(weights)) ? "a directory" : "not found")
                            + "; expected an ImageNet MobileNetV2 .onnx file or a URL");
        }
        return errors.build(
                () ->
                        new ModelSettings(
                                weights,
                                weightsSha256,
                                dropout != null ? dropout : recipe.dropout(),
                                fineTuneAt),
                OPTIONS);
    }

    /** The weights file: {@code --weights} (downloaded once if a URL) or the shipped one. */
    Path weightsFile() throws IOException {
        return WeightsOption.resolve(weights, weightsSha256);
    }
}
