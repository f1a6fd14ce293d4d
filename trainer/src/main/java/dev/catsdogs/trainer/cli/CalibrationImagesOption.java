package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.quantize.Int8Export;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --calibration-images N}, shared by {@code export --int8} and {@code train --int8}. */
final class CalibrationImagesOption {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--calibration-images",
            paramLabel = "N",
            description =
                    "With --int8: training images the activation ranges are measured on (default:"
                            + " ${DEFAULT-VALUE}).")
    private int count = Int8Export.DEFAULT_CALIBRATION_IMAGES;

    /**
     * The number of calibration images.
     *
     * @throws CommandLine.ParameterException (a usage error) when it is below 1
     */
    int value() {
        if (count < 1) {
            throw new CommandLine.ParameterException(
                    command.commandLine(),
                    "Received --calibration-images " + count + "; expected at least 1");
        }
        return count;
    }
}
