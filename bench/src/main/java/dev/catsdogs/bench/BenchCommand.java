package dev.catsdogs.bench;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import dev.catsdogs.bench.jmh.OpenCvDnnBenchmark;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.Prediction;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.CliLogging;
import dev.catsdogs.inference.internal.Internals;
import dev.catsdogs.inference.internal.OnnxRuntimeLoader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.opencv.core.Core;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./catsdogs bench [--quick]}: checks that the peers run the same network, counts the
 * model's MACs, runs the JMH benchmarks and the memory check, writes JMH's JSON (and the report) to
 * {@code bench/results/}, and prints the Markdown table, the targets and one closing {@code ratio:}
 * line on stdout. Progress goes to stderr, JMH's full output to a log beside the JSON.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "JMH benchmarks of the inference hot path (the float model and, when present, its"
                        + " int8 export) beside DJL (PyTorch) and OpenCV DNN on the same network;"
                        + " prints a Markdown table and a closing 'ratio:' line.")
public final class BenchCommand implements Callable<Integer> {

    /** Images of the parity check between the engines. */
    static final int PARITY_IMAGES = 4;

    static final double PARITY_TOLERANCE = 1e-3;

    @Option(
            names = "--quick",
            description =
                    "Smoke-sized run (about 2 minutes): batch 1 only, "
                            + "short iterations, 2,000 classifications for the memory check.")
    private boolean quick;

    @Option(
            names = "--smoke",
            hidden = true,
            description = "CI: no fork, one 100 ms iteration, 200 classifications.")
    private boolean smoke;

    @Option(
            names = "--model",
            paramLabel = "FILE.onnx",
            description = "Float32 NCHW model (default: models/catsdogs-mobilenetv2.onnx).")
    private Path model;

    @Option(
            names = "--int8-model",
            paramLabel = "FILE.onnx",
            description =
                    "The int8 QDQ export of --model, measured beside it in the ONNX Runtime-only"
                        + " and end-to-end rows (default: the model's name with -int8.onnx beside"
                        + " it, e.g. models/catsdogs-mobilenetv2-int8.onnx; when that file does not"
                        + " exist the int8 rows are skipped and their ratios are n/a).")
    private Path int8Model;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Photos: DIR/validation/{cats,dogs}/"
                            + "*.jpg (default: ../shared/data/cats_and_dogs_filtered).")
    private Path data;

    @Option(
            names = "--run",
            paramLabel = "DIR",
            description =
                    "Load the DJL peer's parameters from a training run's model.params instead of"
                            + " importing them from the model file.")
    private Path run;

    @Option(
            names = "--results",
            paramLabel = "DIR",
            description = "Where JMH's JSON, its log and the report go (default: bench/results).")
    private Path results;

    @Option(
            names = "--memory",
            paramLabel = "N",
            description =
                    "Classifications of the memory check "
                            + "(default: 100000; --quick 2000; 0 skips it).")
    private Long memory;

    @Option(
            names = "--include",
            paramLabel = "REGEX",
            description =
                    "Only benchmarks whose Class.method matches (e.g. 'OrtBenchmark|EndToEnd');"
                            + " ratios that need others are n/a.")
    private String include;

    @Spec private CommandSpec spec;

    private final PrintStream out;
    private final PrintStream progress;

    /** Report to {@code out}, progress to {@code progress}. */
    public BenchCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) {
        CliLogging.install(); // DJL's notices off, its warnings on one line, as in every command
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /**
     * The command line as every command's is set up: one-line usage errors, one exit-code handler.
     */
    static CommandLine commandLine(PrintStream out, PrintStream progress) {
        return ClassifyCommand.configure(new CommandLine(new BenchCommand(out, progress)));
    }

    @Override
    public Integer call() throws Exception {
        BenchPlan plan = smoke ? BenchPlan.smoke() : quick ? BenchPlan.quick() : BenchPlan.full();
        if (memory != null) {
            plan = plan.withMemoryClassifications(memory);
        }
        Workspace d = Workspace.defaults();
        Path fp32 = abs(model, d.model());
        Workspace ws =
                new Workspace(
                        fp32,
                        Workspace.int8Model(int8Model, fp32),
                        abs(data, d.data()),
                        run == null ? null : run.toAbsolutePath().normalize(),
                        abs(results, d.results()));
        try {
            ws.validate();
        } catch (IllegalArgumentException e) {
            // a missing file is the user's mistake: the message and the usage, no stack trace
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Files.createDirectories(ws.results());
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

        List<String> header = new ArrayList<>();
        if (include != null) {
            plan = plan.including(Pattern.compile(include));
            if (plan.steps().isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--include "
                                + include
                                + " matches no benchmark; they are "
                                + BenchPlan.BENCHMARKS.stream().map(Class::getSimpleName).toList());
            }
        }
        header.add("# catsdogs bench (" + plan.name() + "): " + plan.describe());
        header.add("machine: " + Machine.describe());
        try (ImagePreprocessor probe = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(160))) {
            header.add("JPEG decoding: " + probe.jpegDecoder());
        }
        ModelMetadata metadata;
        try (ImageClassifier classifier = ImageClassifier.builder(ws.model()).build()) {
            metadata = classifier.metadata();
        }
        MacCounter.Count macs = MacCounter.count(metadata);
        header.add(
                String.format(
                        Locale.ROOT,
                        "model: %s, input %dx%d, %d classes, %.1fM MACs per image (%s), "
                                + "summed over the network's layers",
                        shown(ws.model()),
                        metadata.inputHeight(),
                        metadata.inputWidth(),
                        metadata.classNames().size(),
                        macs.total() / 1e6,
                        byLayerType(macs)));
        Parity parity = parity(ws);
        header.addAll(parity.lines());
        header.addAll(int8Lines(ws));
        header.addAll(kernelLines(ws, plan.profiledRuns()));
        header.forEach(progress::println);
        if (ws.int8Model() == null) {
            plan = plan.withoutInt8();
        }

        if (parity.openCvError() != null) {
            plan = plan.without(OpenCvDnnBenchmark.class); // reported above; its ratio is n/a
        }
        Path json = ws.results().resolve("jmh-" + stamp + ".json");
        Path log = ws.results().resolve("jmh-" + stamp + ".log");
        List<Measurement> measured = runJmh(plan, ws, json, log);

        MemoryCheck.Result mem = null;
        if (plan.memoryClassifications() > 0) {
            progress.printf(
                    Locale.ROOT,
                    "bench: memory check, %d classifications from 2 threads ...%n",
                    plan.memoryClassifications());
            mem =
                    plan.forks() == 0
                            ? MemoryCheck.measure(
                                    ws.model(), ws.data(), plan.memoryClassifications(), 2)
                            : MemoryCheck.runChild(
                                    ws.model(), ws.data(), plan.memoryClassifications(), 2);
        }

        String report = report(header, measured, macs, mem, json);
        Path md = ws.results().resolve("bench-" + stamp + ".md");
        Files.writeString(md, report, StandardCharsets.UTF_8);
        progress.println("bench: JMH JSON " + json + ", log " + log + ", report " + md);
        out.print(report);
        out.flush();
        return 0;
    }

    /** Everything printed on stdout, ending with the ratio line. */
    static String report(
            List<String> header,
            List<Measurement> measured,
            MacCounter.Count macs,
            MemoryCheck.Result mem,
            Path json) {
        StringBuilder s = new StringBuilder();
        header.forEach(l -> s.append(l).append('\n'));
        s.append('\n').append(BenchReport.table(measured, macs.total())).append('\n');
        s.append(
                "threads = caller threads x engine threads (ONNX Runtime intra-op; PyTorch"
                    + " intra-op, 1 inter-op; OpenCV DNN's); OpenCV's own threads (decode, resize)"
                    + " are pinned to 1 in every benchmark. ms per image = 1000 / images/s (inverse"
                    + " throughput: not latency for 2 callers). error = JMH's 99.9% confidence"
                    + " half-width over the measured iterations (one fork per run; the mirrored"
                    + " batch-1 rows have two). JMH JSON: "
                        + json.getFileName()
                        + "\n\n");
        double peak1 = BenchReport.peakImagesPerSecond(measured, macs.total(), 1);
        double peak2 = BenchReport.peakImagesPerSecond(measured, macs.total(), 2);
        BenchReport.Ratios ratios = BenchReport.ratios(measured, macs.total());
        s.append(
                String.format(
                        Locale.ROOT,
                        "ceiling: %.1fM MACs (%.3f GFLOP) per image; the measured peak allows %.0f"
                            + " images/s on 1 thread, %.0f on 2; end to end with 2 callers reaches"
                            + " %s of the 2-thread peak%n",
                        macs.total() / 1e6,
                        macs.flops() / 1e9,
                        peak1,
                        peak2,
                        BenchReport.number(ratios.fractionOfPeak())));
        s.append(BenchReport.decomposition(measured)).append('\n');
        if (mem != null) {
            s.append(mem.summary()).append('\n');
            s.append(mem.line()).append('\n');
        }
        BenchReport.targets(ratios).forEach(l -> s.append(l).append('\n'));
        if (mem != null) {
            s.append(
                            BenchReport.target(
                                    "memory_growth_mib",
                                    "<=",
                                    MemoryCheck.FLAT_LIMIT_KIB / 1024.0,
                                    mem.growthKib() / 1024.0,
                                    mem.flat()))
                    .append('\n');
        }
        s.append(ratios.line()).append('\n');
        return s.toString();
    }

    /**
     * Runs the plan's configurations one JMH run each, in the plan's order (JMH itself would sort
     * them by name, putting minutes between the pairs the ratios compare), and writes all results
     * to one JSON file in JMH's format.
     */
    private List<Measurement> runJmh(BenchPlan plan, Workspace ws, Path json, Path log)
            throws Exception {
        ws.applyToThisJvm(); // for forks=0; forks get the same as -D options
        List<String> jvmArgs = new ArrayList<>(ws.jvmArgs());
        jvmArgs.add("-Dai.djl.offline=true");
        jvmArgs.add("-Dai.djl.pytorch.num_interop_threads=1");
        jvmArgs.add("-Dai.djl.pytorch.num_threads=1");
        progress.printf(Locale.ROOT, "bench: %d JMH runs; JMH log: %s%n", plan.steps().size(), log);
        List<RunResult> results = new ArrayList<>();
        try (JmhLockFile lockFile = JmhLockFile.beforeRuns();
                PrintStream logStream =
                        new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            ProgressFormat format =
                    new ProgressFormat(
                            OutputFormatFactory.createFormatInstance(logStream, VerboseMode.NORMAL),
                            progress,
                            plan.steps().size());
            for (BenchPlan.Step step : plan.steps()) {
                ChainedOptionsBuilder options =
                        new OptionsBuilder()
                                .include(step.includeRegex())
                                .forks(plan.forks())
                                .warmupIterations(plan.warmupIterations())
                                .warmupTime(plan.warmupTime())
                                .measurementIterations(plan.iterations())
                                .measurementTime(plan.iterationTime())
                                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                                .shouldFailOnError(true);
                step.params().forEach(options::param);
                results.addAll(new Runner(options.build(), format).run());
            }
        }
        List<RunResult> merged = mergeRepeats(results);
        try (PrintStream out =
                new PrintStream(Files.newOutputStream(json), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(merged);
        }
        return merged.stream().map(Measurement::of).toList();
    }

    /**
     * One result per configuration: the runs of a configuration measured more than once become the
     * forks of one result, so its score and error are over all their iterations (JMH's own rule).
     */
    static List<RunResult> mergeRepeats(List<RunResult> results) {
        Map<String, List<RunResult>> byConfiguration = new LinkedHashMap<>();
        for (RunResult r : results) {
            String key =
                    r.getParams().getBenchmark()
                            + " "
                            + r.getParams().getThreads()
                            + " "
                            + r.getParams().getParamsKeys().stream()
                                    .map(k -> k + "=" + r.getParams().getParam(k))
                                    .toList();
            byConfiguration.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<RunResult> merged = new ArrayList<>();
        for (List<RunResult> runs : byConfiguration.values()) {
            if (runs.size() == 1) {
                merged.add(runs.get(0));
                continue;
            }
            List<BenchmarkResult> forks = new ArrayList<>();
            runs.forEach(r -> forks.addAll(r.getBenchmarkResults()));
            merged.add(new RunResult(runs.get(0).getParams(), forks));
        }
        return merged;
    }

    /** The three engines on the same prepared photos; DJL must agree, OpenCV is reported. */
    private Parity parity(Workspace ws) throws Exception {
        SamplePhotos photos = SamplePhotos.load(ws.data(), PARITY_IMAGES);
        try (ImageClassifier classifier =
                ImageClassifier.builder(ws.model()).optIntraOpThreads(1).build()) {
            PreparedBatch input =
                    PreparedBatch.of(Internals.preprocessor(classifier), photos, PARITY_IMAGES);
            float[] ort = flatten(Internals.runRaw(classifier, input.floats(), PARITY_IMAGES));
            int size = classifier.metadata().inputHeight();
            int classes = classifier.metadata().classNames().size();
            float[] djl;
            String djlSource;
            try (DjlPeer peer = DjlPeer.load(ws, size, classes);
                    Predictor<PreparedBatch, float[]> predictor = peer.newPredictor()) {
                djl = predictor.predict(input);
                djlSource = peer.source();
            }
            double djlDiff = maxAbsDiff(ort, djl);
            if (!(djlDiff < PARITY_TOLERANCE)) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "the DJL peer (%s) is not the same network: max |logit diff| %.3g"
                                        + " vs ONNX Runtime on %d photos, over %.0e; comparing them"
                                        + " would be meaningless",
                                djlSource,
                                djlDiff,
                                PARITY_IMAGES,
                                PARITY_TOLERANCE));
            }
            double openCvDiff = Double.NaN;
            String openCvError = null;
            try {
                openCvDiff = maxAbsDiff(ort, OpenCvDnnPeer.load(ws.model()).run(input));
            } catch (RuntimeException e) {
                openCvError = e.getMessage();
            }
            return new Parity(djlSource, djlDiff, openCvDiff, openCvError);
        }
    }

    /**
     * Which int8 model is measured and whether it gives the float model's labels on the parity
     * photos (reported, not enforced: the export's gate judged it on the validation split), or why
     * there are no int8 rows.
     */
    private static List<String> int8Lines(Workspace ws) throws Exception {
        if (ws.int8Model() == null) {
            return List.of(
                    "int8: "
                            + shown(Workspace.int8Beside(ws.model()))
                            + " not found, int8 rows skipped (make it with "
                            + Workspace.INT8_EXPORT_HINT
                            + ", or pass --int8-model FILE)");
        }
        SamplePhotos photos = SamplePhotos.load(ws.data(), PARITY_IMAGES);
        int sameLabel = 0;
        double maxDiff = 0;
        String quantization;
        try (ImageClassifier fp32 =
                        ImageClassifier.builder(ws.model()).optIntraOpThreads(1).build();
                ImageClassifier int8 =
                        ImageClassifier.builder(ws.int8Model()).optIntraOpThreads(1).build()) {
            quantization = int8.metadata().quantization().orElse("not recorded");
            for (int i = 0; i < photos.size(); i++) {
                Prediction f = fp32.classify(photos.encoded().get(i), photos.names().get(i));
                Prediction q = int8.classify(photos.encoded().get(i), photos.names().get(i));
                sameLabel += f.label().equals(q.label()) ? 1 : 0;
                maxDiff =
                        Math.max(
                                maxDiff,
                                Math.abs(
                                        f.probabilities()[f.classIndex()]
                                                - q.probabilities()[f.classIndex()]));
            }
        }
        return List.of(
                String.format(
                        Locale.ROOT,
                        "int8 model: %s, %,d bytes, quantization %s",
                        shown(ws.int8Model()),
                        Files.size(ws.int8Model()),
                        quantization),
                String.format(
                        Locale.ROOT,
                        "int8 vs float on %d photos: same label %d/%d, max |probability diff| %.4f",
                        photos.size(),
                        sameLabel,
                        photos.size(),
                        maxDiff));
    }

    /**
     * Which kernels ONNX Runtime runs for each model and where the time goes (its profiler, on the
     * first photo at batch 1, one thread); none when {@code runs} is 0.
     */
    private static List<String> kernelLines(Workspace ws, int runs) throws Exception {
        if (runs == 0) {
            return List.of();
        }
        PreparedBatch input;
        try (ImageClassifier classifier = ImageClassifier.builder(ws.model()).build()) {
            input =
                    PreparedBatch.of(
                            Internals.preprocessor(classifier), SamplePhotos.load(ws.data(), 1), 1);
        }
        List<String> lines = new ArrayList<>();
        lines.add(KernelProfile.measure(ws.model(), input, runs).line(Precision.FP32));
        if (ws.int8Model() != null) {
            lines.add(KernelProfile.measure(ws.int8Model(), input, runs).line(Precision.INT8));
        }
        return lines;
    }

    /** What the parity check found. */
    record Parity(String djlSource, double djlDiff, double openCvDiff, String openCvError) {
        List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(
                    "peers: DJL "
                            + Engine.getDjlVersion()
                            + " on PyTorch "
                            + Engine.getEngine("PyTorch").getVersion()
                            + ", weights from "
                            + djlSource
                            + "; OpenCV "
                            + Core.VERSION
                            + " DNN reads the same ONNX file");
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "parity vs ONNX Runtime %s on %d photos: DJL max |logit "
                                    + "diff| %.2e, OpenCV DNN %s",
                            OnnxRuntimeLoader.environment().getVersion(),
                            PARITY_IMAGES,
                            djlDiff,
                            openCvError != null
                                    ? "cannot run the model: " + openCvError
                                    : String.format(Locale.ROOT, "%.2e", openCvDiff)));
            return lines;
        }
    }

    private static float[] flatten(float[][] rows) {
        int per = rows[0].length;
        float[] flat = new float[rows.length * per];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * per, per);
        }
        return flat;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException(
                    "engines disagree on the output size: "
                            + a.length
                            + " vs "
                            + b.length
                            + " logits");
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static String byLayerType(MacCounter.Count macs) {
        StringBuilder s = new StringBuilder();
        macs.byLayerType()
                .forEach(
                        (type, n) ->
                                s.append(s.length() == 0 ? "" : ", ")
                                        .append(String.format(Locale.ROOT, "%s %,d", type, n)));
        return s.toString();
    }

    /** A file as the report names it: relative to the repository when inside it. */
    private static Path shown(Path file) {
        Path root = Workspace.root();
        return file.startsWith(root) ? root.relativize(file) : file;
    }

    private static Path abs(Path option, Path fallback) {
        return (option != null ? option : fallback).toAbsolutePath().normalize();
    }
}
