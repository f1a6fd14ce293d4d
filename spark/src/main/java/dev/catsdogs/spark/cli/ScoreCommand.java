package dev.catsdogs.spark.cli;

import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.inference.cli.InterruptSignal;
import dev.catsdogs.spark.ModelFile;
import dev.catsdogs.spark.ScoreArgumentException;
import dev.catsdogs.spark.ScoreInputs;
import dev.catsdogs.spark.ScoreJob;
import dev.catsdogs.spark.ScoreOutput;
import dev.catsdogs.spark.SparkSessions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
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
 * [--master URL] [--overwrite] [--verbose] [--conf KEY=VALUE...]}: classifies every image file
 * under the inputs on Apache Spark and writes one row per file.
 *
 * <p>Everything that can be checked before Spark starts is: the options, the model, the local
 * inputs (listed here, see {@link ScoreInputs}), the {@code --master} URL (a standalone master must
 * accept a connection) and a local output ({@link ScoreOutput}: what it may replace, not inside an
 * input, writable). Exit codes: 0 the output was written (rows for bad images carry their error), 1
 * the job failed or its output could not be put in place, 2 a usage error, 130 interrupted by
 * Ctrl-C. Every failure is one line on stderr; Spark's own log is off unless {@code --verbose},
 * which also prints a failure's stack trace. A failed or interrupted run leaves an earlier output
 * as it was. The summary goes to stdout.
 */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        versionProvider = ScoreCommand.Version.class,
        description = {
            "Classify every image under the inputs on Apache Spark: an embedded local[*] Spark by"
                    + " default, or a cluster with --master. One output row per image file: path,"
                    + " label, probability, logit (logits and probabilities for softmax models),"
                    + " error (null when classified), model_sha256.",
            "Paths are literal: glob patterns (*, ?, [...], {...}) are not expanded, so a"
                    + " directory named in[1] is read as named; let the shell expand patterns"
                    + " (--input photos/*.jpg takes every match)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the output was written (bad images are rows with an error)",
            "1:the Spark job failed, or its output could not be put in place (an earlier output"
                    + " is unchanged)",
            "2:usage error: bad option, missing or unusable model, input not found, output in"
                    + " the way, master unreachable, Spark would not start with these settings",
            "130:interrupted (Ctrl-C); nothing was written"
        },
        footer = {
            "%nExamples:",
            "  score --input photos/ --output scored/                 parquet, local[*]",
            "  score --input a/ b/ --output out --format csv          CSV, two inputs",
            "  score --input hdfs:///photos --output hdfs:///scored --master yarn",
            "%nSee docs/scale-out.md for clusters, spark-submit and the settings that matter.%n"
        })
public class ScoreCommand implements Callable<Integer> {

    /** Largest {@code --batch}, as {@code classify}: 1024 images of 224 x 224 are 616 MB. */
    static final int MAX_BATCH = 1024;

    /** The job failed, or its output could not be put in place (the product's exit code). */
    static final int FAILED = Failures.FAILURE;

    /** Ctrl-C: the run stopped, nothing was written. */
    static final int INTERRUPTED = Failures.INTERRUPTED;

    @Spec private CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "PATH",
            description =
                    "Image files or directories (searched recursively for .jpg, .jpeg, .png, .bmp"
                            + " in any case), taken literally; local paths or Hadoop URIs"
                            + " (hdfs://, s3a://). Repeatable.")
    private List<String> inputs;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description =
                    "Output directory; a local path or a Hadoop URI. It must not exist, be empty,"
                            + " or be an earlier score output (with --overwrite).")
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
            description =
                    "Images per model run, 1 to " + MAX_BATCH + " (default: ${DEFAULT-VALUE}).")
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
                    "Replace an earlier score output (a directory holding its _SUCCESS and "
                            + ScoreOutput.METADATA
                            + " files and nothing else); any other existing output is refused.")
    private boolean overwrite;

    @Option(
            names = "--verbose",
            description = "Show Spark's log (warnings and errors) and a failure's stack trace.")
    private boolean verbose;

    @Option(
            names = "--conf",
            paramLabel = "KEY=VALUE",
            description =
                    "A Spark setting, e.g. spark.task.cpus=2 or"
                            + " spark.executor.memoryOverhead=1g. Repeatable.")
    private Map<String, String> conf = Map.of();

    // The running session, for the stop signal to cancel its jobs.
    private volatile SparkSession session;

    public ScoreCommand() {}

    /** Runs {@code score} and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A command line for {@code score} as {@link #main} runs it: usage errors are one line. */
    public static CommandLine commandLine() {
        return ClassifyCommand.configure(new CommandLine(new ScoreCommand()));
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        PrintWriter err = commandLine.getErr();
        try {
            return score(commandLine, err);
        } finally {
            err.flush();
        }
    }

    private int score(CommandLine commandLine, PrintWriter err) {
        sparkLog(verbose);
        ScoreJob.Format outputFormat = checkOptions(commandLine);
        long start = System.nanoTime();
        // The model first, as classify checks it: before Spark starts and any image is read.
        if (!model.contains("://") && !Files.isRegularFile(Path.of(model))) {
            return usage(
                    err,
                    "model file not found: "
                            + Path.of(model).toAbsolutePath()
                            + ". Train and export a model first (from the repository root), or pass"
                            + " --model FILE.");
        }
        ModelFile checked;
        try {
            checked = ModelFile.inspect(model, null);
        } catch (ModelLoadException e) {
            return usage(err, "cannot use model " + e.getMessage());
        }
        ScoreInputs listed;
        try {
            listed = ScoreInputs.list(inputs);
        } catch (ScoreArgumentException e) {
            return usage(err, e.getMessage());
        }
        String masterProblem = MasterUrls.problem(master);
        if (masterProblem != null) {
            return usage(err, masterProblem);
        }
        ScoreJob.Settings settings =
                new ScoreJob.Settings(inputs, output, outputFormat, batch, overwrite);
        try (InterruptSignal stop =
                InterruptSignal.install(
                        "score: stopping (again to quit at once)", this::cancelJobs)) {
            return run(commandLine, checked, listed, settings, stop, start);
        }
    }

    private int run(
            CommandLine commandLine,
            ModelFile checked,
            ScoreInputs listed,
            ScoreJob.Settings settings,
            InterruptSignal stop,
            long start) {
        PrintWriter err = commandLine.getErr();
        ScoreOutput out = null;
        SparkSession spark = null;
        boolean scored = false;
        try {
            if (ScoreInputs.isLocal(output)) { // checked before Spark starts
                out = ScoreOutput.prepare(output, overwrite, listed, new Configuration());
            }
            try {
                spark = SparkSessions.builder("catsdogs score", master, conf).getOrCreate();
            } catch (RuntimeException e) {
                return stop.raised()
                        ? interrupted(err)
                        : usage(
                                err,
                                "Spark did not start with --master "
                                        + master
                                        + (conf.isEmpty() ? "" : " and the --conf settings")
                                        + ": "
                                        + JobFailures.describe(e)
                                        + (master.startsWith("spark://")
                                                ? " (does a Spark 4 master listen at "
                                                        + master
                                                        + "? Spark gives up after 60 s)"
                                                : ""));
            }
            session = spark;
            if (out == null) {
                out =
                        ScoreOutput.prepare(
                                output,
                                overwrite,
                                listed,
                                spark.sparkContext().hadoopConfiguration());
            }
            double startup = (System.nanoTime() - start) / 1e9;
            if (stop.raised()) {
                return interrupted(err);
            }
            ScoreJob.Summary summary = ScoreJob.write(spark, checked, listed, out, settings);
            scored = true;
            if (stop.raised()) {
                return interrupted(err);
            }
            out.commit(ScoreJob.metadata(checked, settings, summary));
            double wall = (System.nanoTime() - start) / 1e9;
            err.println(); // end the progress bar's line
            PrintWriter stdout = commandLine.getOut();
            print(stdout, summary, startup, wall);
            stdout.flush();
            return CommandLine.ExitCode.OK;
        } catch (ScoreArgumentException e) {
            return usage(err, e.getMessage());
        } catch (Exception e) { // Scala throws checked exceptions undeclared
            if (stop.raised()) {
                return interrupted(err);
            }
            if (e instanceof AnalysisException) { // e.g. [PATH_NOT_FOUND] a remote input
                return usage(err, JobFailures.describe(e));
            }
            err.println(
                    "score: "
                            + (scored
                                    ? "could not put the output in place: "
                                    : "the Spark job failed: ")
                            + JobFailures.describe(e)
                            + "; nothing was written to "
                            + output);
            if (verbose) {
                e.printStackTrace(err);
            }
            return FAILED;
        } finally {
            session = null;
            if (out != null) {
                out.abort(); // no-op after a commit
            }
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private int usage(PrintWriter err, String problem) {
        err.println("score: " + JobFailures.printable(problem));
        return CommandLine.ExitCode.USAGE;
    }

    private int interrupted(PrintWriter err) {
        err.println("score: interrupted; nothing was written to " + output);
        return INTERRUPTED;
    }

    // From the signal handler's thread: the running job fails at once, and run() winds down.
    private void cancelJobs() {
        SparkSession running = session;
        if (running != null) {
            running.sparkContext().cancelAllJobs();
        }
    }

    private ScoreJob.Format checkOptions(CommandLine commandLine) {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new ParameterException(
                    commandLine, "Received --batch " + batch + "; expected 1.." + MAX_BATCH);
        }
        conf.forEach(
                (key, value) -> {
                    if (!key.startsWith("spark.")) {
                        throw new ParameterException(
                                commandLine,
                                "--conf "
                                        + key
                                        + "="
                                        + value
                                        + ": not a Spark setting (their keys start with spark.)");
                    }
                });
        try {
            return ScoreJob.Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(
                    commandLine,
                    "Received --format " + format + "; expected one of parquet, csv, json");
        }
    }

    // Spark's log (log4j 2) off, every logger: a failure reaches the user as one line from this
    // command. --verbose: the levels of log4j2.properties (warnings and errors, known noise off).
    private static void sparkLog(boolean verbose) {
        if (verbose) {
            Configurator.reconfigure();
        } else {
            Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.OFF);
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
