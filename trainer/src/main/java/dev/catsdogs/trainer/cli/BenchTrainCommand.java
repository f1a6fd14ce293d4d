package dev.catsdogs.trainer.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.train.TrainingBenchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code catsdogs bench-train}: what caching buys, and our training step vs PyTorch from Python. */
@Command(
        name = "bench-train",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark training on real data with the default workflow: feature-extraction phase cached vs "
                    + "--no-cache, one fine-tuning epoch cached vs --no-cache, the whole run, the training step at "
                    + "batch 32 vs PyTorch from Python (bench/pytorch/train_step.py), and memory across epochs.",
            "Ends with one line: ratio: fe_speedup=<x> ft_epoch_speedup=<y> total_speedup=<z> step_vs_pytorch=<w>"
        })
final class BenchTrainCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "Data (default: ../shared/data/cats_and_dogs_filtered beside the repository).")
    private Path data;

    @Option(names = "--quick", negatable = false,
            description = "Smoke-sized: 1/10 of the images, 2 feature-extraction epochs, 3 timed steps.")
    private boolean quick;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Python with Debian's python3-torch and python3-torchvision (default: ${DEFAULT-VALUE}).")
    private String python;

    @Option(names = "--threads", description = "Decoding threads and PyTorch threads (default: the number of cores).")
    private Integer threads;

    @Override
    public Integer call() throws Exception {
        Path dir = data != null ? data : Paths.home().resolve("../shared/data/cats_and_dogs_filtered").normalize();
        Dataset dataset = Dataset.load(dir, 42);
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<Sample> train = quick ? every(dataset.train(), 10) : dataset.train();
        List<Sample> validation = quick ? every(dataset.validation(), 10) : dataset.validation();
        int feEpochs = quick ? 2 : 10;
        int steps = quick ? 3 : 10;
        System.out.printf(Locale.ROOT, "bench-train: %d train / %d validation images from %s, %d cores%n",
                train.size(), validation.size(), dir, cores);

        TrainingBenchmark.Figures f = new TrainingBenchmark(train, validation, dataset.classNames().size(),
                Paths.defaultWeights(), 160, 32, cores, System.out).run(feEpochs, 10, 100, steps);
        JsonObject torch = pytorch(cores, steps);

        double torchStep = torch == null ? Double.NaN : torch.get("train_step_ms").getAsDouble();
        double torchForward = torch == null ? Double.NaN : torch.get("forward_ms").getAsDouble();
        System.out.println();
        System.out.println("| measurement | cached | --no-cache | speed-up |");
        System.out.println("|---|---|---|---|");
        row("feature-extraction phase (" + feEpochs + " epochs + validation), s", f.feCached(), f.feUncached());
        row("one fine-tuning epoch + validation, s", f.ftEpochCached(), f.ftEpochUncached());
        System.out.printf(Locale.ROOT, "| fine-tuning cache build (once), s | %.1f | - | |%n", f.ftCacheBuild());
        row("whole default run (phase 1 + cache + 10 fine-tuning epochs), s", f.totalCached(), f.totalUncached());
        System.out.println();
        System.out.println("| batch 32, 160x160, median ms | catsdogs (DJL " + ai.djl.engine.Engine.getDjlVersion()
                + ", PyTorch " + ai.djl.engine.Engine.getInstance().getVersion() + ") | PyTorch from Python"
                + (torch == null ? "" : " " + torch.get("torch").getAsString()) + " | ratio |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| training step (all layers trainable) | %.0f | %.0f | %.2f |%n", f.stepMs(),
                torchStep, f.stepMs() / torchStep);
        System.out.printf(Locale.ROOT, "| inference forward | %.0f | %.0f | %.2f |%n", f.forwardMs(), torchForward,
                f.forwardMs() / torchForward);
        System.out.println();
        System.out.printf(Locale.ROOT, "memory: peak RSS %d MiB; RSS after epoch 2 %d MiB, after epoch %d %d MiB "
                + "(plain feature extraction)%n", f.peakRss() >> 20, f.rssAfterEpoch2() >> 20, feEpochs,
                f.rssAfterLastEpoch() >> 20);
        System.out.printf(Locale.ROOT, "ratio: fe_speedup=%.2f ft_epoch_speedup=%.2f total_speedup=%.2f "
                + "step_vs_pytorch=%.2f%n", f.feSpeedup(), f.ftEpochSpeedup(), f.totalUncached() / f.totalCached(),
                f.stepMs() / torchStep);
        return 0;
    }

    private static void row(String what, double cached, double plain) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2fx |%n", what, cached, plain, plain / cached);
    }

    private static List<Sample> every(List<Sample> samples, int k) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += k) {
            out.add(samples.get(i));
        }
        return out;
    }

    /** Runs bench/pytorch/train_step.py; null (with the install command) when PyTorch is not there. */
    private JsonObject pytorch(int threads, int steps) throws IOException, InterruptedException {
        Path script = Paths.home().resolve("bench/pytorch/train_step.py");
        Process process;
        try {
            process = new ProcessBuilder(python, script.toString(), Integer.toString(threads), Integer.toString(steps))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.err.println("PyTorch reference skipped: cannot run " + python + " (" + e.getMessage() + "); "
                    + "install it with: sudo apt-get install -y python3-torch python3-torchvision");
            return null;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            System.err.println("PyTorch reference failed (exit " + process.exitValue() + "); needs Debian's "
                    + "python3-torch and python3-torchvision: sudo apt-get install -y python3-torch python3-torchvision");
            return null;
        }
        String last = output.strip().lines().reduce((a, b) -> b).orElse("{}");
        System.out.println("pytorch: " + last);
        return JsonParser.parseString(last).getAsJsonObject();
    }
}
