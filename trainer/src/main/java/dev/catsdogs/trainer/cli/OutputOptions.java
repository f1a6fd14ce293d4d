package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.train.OutputSettings;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.Setting;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}'s options of {@link OutputSettings}: the run directory and the export. */
final class OutputOptions {

    private static final Map<Setting, String> OPTIONS =
            Map.of(Setting.PARITY_IMAGES, "--parity-images");

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Run directory (default: runs/<timestamp>).")
    private Path out;

    @Option(
            names = "--overwrite",
            negatable = false,
            description =
                    "Reuse a non-empty --out: remove the files an earlier run wrote there (only"
                            + " those; a directory holding anything else is refused).")
    private boolean overwrite;

    @Option(
            names = "--no-export",
            negatable = false,
            description = "Skip the ONNX export at the end.")
    private boolean noExport;

    @Option(
            names = "--parity-images",
            description =
                    "Validation images of the export's parity check (default: ${DEFAULT-VALUE}).")
    private int parityImages = OutputSettings.DEFAULT_PARITY_IMAGES;

    /** Whether {@code --no-export} was given. */
    boolean noExport() {
        return noExport;
    }

    /** Whether {@code --overwrite} was given: a used {@code --out} may be reused. */
    boolean overwrite() {
        return overwrite;
    }

    /**
     * The output settings, in {@code --out} or a new {@code runs/<timestamp>}, checked writable
     * before any work.
     *
     * @throws picocli.CommandLine.ParameterException (a usage error) naming the option at fault
     */
    OutputSettings settings() {
        UsageErrors errors = new UsageErrors(command);
        Path dir =
                out != null
                        ? out
                        : Path.of(
                                "runs",
                                LocalDateTime.now()
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        errors.parse("--out", () -> RunDirectory.checkCanCreate(dir, overwrite));
        return errors.build(
                () ->
                        new OutputSettings(
                                dir, OutputSettings.DEFAULT_SAMPLE_IMAGES, !noExport, parityImages),
                OPTIONS);
    }
}
