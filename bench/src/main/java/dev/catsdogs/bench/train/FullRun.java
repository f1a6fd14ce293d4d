package dev.catsdogs.bench.train;

import com.google.gson.JsonObject;
import dev.catsdogs.trainer.train.ModelSettings;
import dev.catsdogs.trainer.train.PhaseSettings;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code bench-train} without a mode, and {@code --workflow}: the default run on real photos,
 * cached against {@code --no-cache}, its step against PyTorch's, and the whole run against
 * workflow.py.
 */
final class FullRun {

    private FullRun() {}

    /** Everything: caching, step, memory, pipeline and the whole run; ends with the ratio line. */
    static int run(BenchSettings settings, BenchPhotos photos) throws Exception {
        PrintStream out = settings.out();
        header(settings, photos, "");
        TrainingBenchmark.Figures f =
                ours(settings, photos)
                        .run(
                                settings.featureExtractionEpochs(),
                                PhaseSettings.DEFAULT_EPOCHS,
                                ModelSettings.DEFAULT_FINE_TUNE_AT,
                                settings.steps());
        PythonReference pytorch = settings.pytorch();
        JsonObject torch =
                pytorch.trainStep(
                        Integer.toString(settings.cores()), Integer.toString(settings.steps()));
        WorkflowComparison python = pytorch.workflow(photos.dir());
        out.println();
        PipelineRun.measure(settings, photos.train());

        BenchTrainReport report = settings.report();
        out.println();
        report.cachingTable(f);
        out.println();
        report.stepTable(f.step(), torch);
        out.println();
        report.memoryLine(f);
        report.workflowLine(f.totalCached(), python);
        report.fullRatio(f, torch, python);
        return 0;
    }

    /** {@code --workflow}: only the whole run, cached, against workflow.py. */
    static int workflow(BenchSettings settings, BenchPhotos photos) throws Exception {
        header(settings, photos, " --workflow");
        double oursS =
                ours(settings, photos)
                        .cachedRun(
                                settings.featureExtractionEpochs(),
                                PhaseSettings.DEFAULT_EPOCHS,
                                ModelSettings.DEFAULT_FINE_TUNE_AT)
                        .total();
        WorkflowComparison python = settings.pytorch().workflow(photos.dir());
        settings.out().println();
        BenchTrainReport report = settings.report();
        report.workflowLine(oursS, python);
        report.workflowRatio(oursS, python);
        return 0;
    }

    private static void header(BenchSettings settings, BenchPhotos photos, String mode) {
        settings.out()
                .printf(
                        Locale.ROOT,
                        "bench-train%s: %d train / %d validation images from %s, %d cores%n",
                        mode,
                        photos.train().size(),
                        photos.validation().size(),
                        photos.dir(),
                        settings.cores());
    }

    private static TrainingBenchmark ours(BenchSettings settings, BenchPhotos photos) {
        return settings.benchmark(photos.train(), photos.validation(), photos.classes());
    }
}
