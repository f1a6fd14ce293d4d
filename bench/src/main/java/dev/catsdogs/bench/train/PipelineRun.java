package dev.catsdogs.bench.train;

import dev.catsdogs.trainer.data.Sample;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench-train --pipeline}: the {@code --no-cache} input pipeline alone, without a model;
 * also part of the full run.
 */
final class PipelineRun {

    private PipelineRun() {}

    /** Only the pipeline, on the training photos. */
    static int run(BenchSettings settings, BenchPhotos photos) throws Exception {
        settings.out()
                .printf(
                        Locale.ROOT,
                        "bench-train --pipeline: %d train images from %s%n",
                        photos.train().size(),
                        photos.dir());
        measure(settings, photos.train());
        return 0;
    }

    /** Measures the pipeline on {@code train}, then prints its table and {@code pipeline:} line. */
    static void measure(BenchSettings settings, List<Sample> train) throws Exception {
        PipelineBenchmark.Figures f =
                new PipelineBenchmark(
                                train, settings.imageSize(), settings.batchSize(), settings.out())
                        .run(settings.pipelineRuns());
        settings.out().println();
        settings.report().pipeline(f, train.size());
    }
}
