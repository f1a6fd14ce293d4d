package dev.catsdogs.trainer.cli;

import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.CliLogging;
import dev.catsdogs.inference.cli.EvaluateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./catsdogs <command>}: the product's one entry point. */
@Command(
        name = "catsdogs",
        mixinStandardHelpOptions = true,
        versionProvider = CatsDogs.Version.class,
        description =
                "Transfer learning of an ImageNet MobileNetV2 into an image classifier (DJL), "
                        + "exported to ONNX and served with OpenCV + ONNX Runtime.",
        footer = {
            "",
            "Benchmarks (bench module, through the same launcher):",
            "  bench         inference throughput, end to end and against peers (JMH)",
            "  bench-train   what caching buys; the training step against PyTorch",
            "  bench-footprint  dependencies, tarball, start to the first prediction, /tmp",
            "",
            "Scoring on Apache Spark (spark module, through the same launcher):",
            "  score         every image under --input, one output row each",
            "  bench-score   score on local[2] against classify --threads 2"
        },
        subcommands = {
            SummaryCommand.class,
            TrainCommand.class,
            ExportCommand.class,
            ClassifyCommand.class,
            EvaluateCommand.class,
            GpuJniCommand.class,
            CommandLine.HelpCommand.class
        })
public final class CatsDogs implements Runnable {

    @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** {@code --version}: the version the build wrote into the inference jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"catsdogs " + BuildInfo.version()};
        }
    }

    /**
     * The command line as classify's is set up (UTF-8 standard output, usage errors on one line),
     * with the trainer's failure handling: one line, and exit codes 1 or 2.
     */
    static CommandLine commandLine() {
        return configure(new CommandLine(new CatsDogs()));
    }

    /** {@link #commandLine()}'s set-up, for a command line of one command (tests). */
    static CommandLine configure(CommandLine commandLine) {
        return ClassifyCommand.configure(commandLine);
    }

    public static void main(String[] args) {
        CliLogging.install();
        System.exit(commandLine().execute(args));
    }
}
