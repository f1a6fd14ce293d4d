package dev.catsdogs.spark.cli;

import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.spark.ModelFile;
import dev.catsdogs.spark.ScoreJob;
import dev.catsdogs.spark.SparkSessions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code score --input PATH... --output DIR [--model FILE] [--format parquet|csv|json] [--batch N]
 * [--master URL] [--overwrite] [--conf KEY=VALUE...]}: classifies every image file under the inputs
 * on Apache Spark and writes one row per file.
 *
 * <p>Exit codes: 0 the job wrote its output (rows for bad images carry their error), 1 the Spark
 * job failed, 2 usage error (bad option, missing or unusable model, output exists without {@code
 * --overwrite}, input path not found). The summary goes to stdout; messages and Spark's progress
 * bar to stderr.
 */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        versionProvider = ScoreCommand.Version.class,
        description = {
            "Classify every image under the inputs on Apache Spark: an embedded local[*] Spark by"
                    + " default, or a cluster with --master. One output row per image file: path,"
                    + " label, probability, logit (logits and probabilities for softmax models),"
                    + " error (null when classified), model_sha256."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the output was written (bad images are rows with an error)",
            "1:the Spark job failed",
            "2:usage error: bad option, missing or unusable model, output exists, input not found"
        },
        footer = {
            "%nExamples:",
            "  score --input photos/ --output scored/                 parquet, local[*]",
            "  score --input a/ --input b/ --output out --format csv  CSV, two inputs",
            "  score --input hdfs:///photos --output hdfs:///scored --master yarn",
            "%nSee docs/scale-out.md for clusters, spark-submit and the settings that matter.%n"
        })
public class ScoreCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description =
                    "Image file or directory (searched recursively for .jpg, .jpeg, .png, .bmp in"
                            + " any case); a local path or a Hadoop URI (hdfs://, s3a://)."
                            + " Repeatable.")
    private List<String> inputs;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Output directory; a local path or a Hadoop URI.")
    private String output;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description =
                    "ONNX model: a local path or a Hadoop URI (default: the shipped"
                            + " ${DEFAULT-VALUE}).")
    private String model = ClassifyCommand.defaultModel().toString();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "parquet, csv or json (default: ${DEFAULT-VALUE}).")
    private String format = "parquet";

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Images per model run (default: ${DEFAULT-VALUE}).")
    private int batch = 32;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description =
                    "Spark master: local[N], local[*], spark://HOST:PORT, yarn, k8s://... (default:"
                            + " spark-submit's --master when run by it, else local[*]).")
    private String master = System.getProperty("spark.master", "local[*]");

    @Option(
            names = "--overwrite",
            description =
                    "Replace an existing output (without it, an existing output is an error).")
    private boolean overwrite;

    @Option(
            names = "--conf",
            paramLabel = "KEY=VALUE",
            description =
                    "A Spark setting, e.g. spark.task.cpus=2 or"
                            + " spark.executor.memoryOverhead=1g. Repeatable.")
    private Map<String, String> conf = Map.of();

    public ScoreCommand() {}

    /** Runs {@code score} and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ScoreCommand()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        PrintWriter out = commandLine.getOut();
        PrintWriter err = commandLine.getErr();
        if (batch < 1) {
            throw new ParameterException(commandLine, "--batch must be >= 1, got " + batch);
        }
        ScoreJob.Format outputFormat;
        try {
            outputFormat = ScoreJob.Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(
                    commandLine, "--format must be one of parquet, csv, json; got " + format);
        }
        long start = System.nanoTime();
        // The model first, as classify checks it: before Spark starts and any image is read.
        if (!model.contains("://") && !Files.isRegularFile(Path.of(model))) {
            err.println(
                    "score: model file not found: "
                            + Path.of(model).toAbsolutePath()
                            + ". Train and export a model first (from the repository root), or pass"
                            + " --model FILE.");
            return CommandLine.ExitCode.USAGE;
        }
        ModelFile checked;
        try {
            checked = ModelFile.inspect(model, null);
        } catch (ModelLoadException e) {
            err.println("score: cannot use model " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        // Local inputs too, before Spark starts: Spark would log a stack trace for a missing path.
        // Inputs on other file systems (hdfs://, s3a://) are Spark's to check.
        for (String input : inputs) {
            if (!input.contains("://") && !Files.exists(Path.of(input))) {
                err.println("score: --input " + input + ": not found");
                return CommandLine.ExitCode.USAGE;
            }
        }
        ScoreJob.Settings settings =
                new ScoreJob.Settings(inputs, output, outputFormat, batch, overwrite);
        SparkSession spark = SparkSessions.builder("catsdogs score", master, conf).getOrCreate();
        try {
            double startup = (System.nanoTime() - start) / 1e9;
            ScoreJob.Summary summary = ScoreJob.run(spark, checked, settings);
            double wall = (System.nanoTime() - start) / 1e9;
            err.println(); // end the progress bar's line
            print(out, summary, startup, wall);
            out.flush();
            return CommandLine.ExitCode.OK;
        } catch (ScoreJob.OutputExistsException e) {
            err.println("score: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        } catch (Exception e) { // Scala throws the checked AnalysisException undeclared
            if (e instanceof AnalysisException) {
                err.println("score: " + e.getMessage()); // e.g. [PATH_NOT_FOUND] an input
                return CommandLine.ExitCode.USAGE;
            }
            err.println("score: the Spark job failed: " + e);
            e.printStackTrace(err);
            return CommandLine.ExitCode.SOFTWARE;
        } finally {
            err.flush();
            spark.stop();
        }
    }

    static void print(PrintWriter out, ScoreJob.Summary summary, double startup, double wall) {
        out.printf(Locale.ROOT, "images scored: %d%n", summary.images());
        summary.perLabel().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.printf(Locale.ROOT, "  %s: %d%n", e.getKey(), e.getValue()));
        out.printf(Locale.ROOT, "errors: %d%n", summary.errors());
        out.printf(
                Locale.ROOT,
                "wall time: %.1f s (start-up %.1f s, scoring %.1f s)%n",
                wall,
                startup,
                summary.seconds());
        out.printf(
                Locale.ROOT,
                "images/s: %.1f (scoring), %.1f (wall)%n",
                summary.imagesPerSecond(),
                wall > 0 ? summary.images() / wall : 0);
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "catsdogs score " + BuildInfo.version(),
                "Apache Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                "ONNX Runtime " + BuildInfo.onnxRuntimeVersion()
            };
        }
    }
}
