package dev.catsdogs.bench.train;

import com.google.gson.JsonObject;
import java.util.Locale;

/**
 * {@code bench-train --device}: the training step (all layers trainable) and the frozen forward on
 * one device, against train_step.py on the same device.
 */
final class StepComparison {

    private StepComparison() {}

    /**
     * @param device the {@code --device} value, as given
     * @param described the device in words, from the device policy
     */
    static int run(BenchSettings settings, String device, String described) throws Exception {
        settings.out()
                .printf(
                        Locale.ROOT,
                        "bench-train --device %s --precision %s: training step and frozen forward"
                                + " at batch %d, %d timed after 3 warm-up, on %s%n",
                        device,
                        settings.precision(),
                        settings.batchSize(),
                        settings.steps(),
                        described);
        TrainingBenchmark.StepFigures ours = settings.stepOnly().stepAndForward(settings.steps());
        JsonObject torch =
                settings.pytorch()
                        .trainStep(
                                Integer.toString(settings.cores()),
                                Integer.toString(settings.steps()));
        BenchTrainReport report = settings.report();
        settings.out().println();
        report.stepTable(ours, torch);
        settings.out().println();
        report.stepRatio(ours, torch);
        return 0;
    }
}
