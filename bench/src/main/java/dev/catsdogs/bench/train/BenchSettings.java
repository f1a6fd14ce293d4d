package dev.catsdogs.bench.train;

import ai.djl.Device;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.PhaseSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What every bench-train measurement shares, checked by the command: the default run's sizes and
 * epochs (the trainer's defaults), the batch size, threads, device, type, and whether the run is
 * smoke-sized ({@code --quick}).
 *
 * @param batchSize the batch of every measurement, on both sides
 * @param cores decoding threads and PyTorch threads
 * @param where the device our side runs on
 * @param precision the type our step and forwards compute in
 * @param quick 1/10 of the images, 2 feature-extraction epochs, 3 timed steps
 * @param python the Python that runs PyTorch's side ({@link PythonReference})
 * @param out where progress, tables and summary lines go
 */
record BenchSettings(
        int batchSize,
        int cores,
        Device where,
        Precision precision,
        boolean quick,
        String python,
        PrintStream out) {

    /** {@code --quick} keeps every this-many-th image, on both sides. */
    static final int QUICK_EVERY = 10;

    /** PyTorch from Python on the same settings. */
    PythonReference pytorch() {
        return new PythonReference(python, this, out);
    }

    /** The report writer for these settings. */
    BenchTrainReport report() {
        return new BenchTrainReport(this);
    }

    /** The trainer's input size: every measurement runs at it. */
    int imageSize() {
        return DataSettings.DEFAULT_IMAGE_SIZE;
    }

    /** Feature-extraction epochs of the whole run: the default workflow's, or 2 when quick. */
    int featureExtractionEpochs() {
        return quick ? 2 : PhaseSettings.DEFAULT_EPOCHS;
    }

    /** Timed training steps, after the warm-up ones. */
    int steps() {
        return quick ? 3 : 20;
    }

    /** Timed repetitions of the input pipeline's measurements. */
    int pipelineRuns() {
        return quick ? 1 : 3;
    }

    /** {@code samples}, or every {@link #QUICK_EVERY}-th of them when quick. */
    List<Sample> sized(List<Sample> samples) {
        if (!quick) {
            return samples;
        }
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += QUICK_EVERY) {
            out.add(samples.get(i));
        }
        return out;
    }

    /** Our side on these photos, from the shipped ImageNet weights. */
    TrainingBenchmark benchmark(List<Sample> train, List<Sample> validation, int classes) {
        return new TrainingBenchmark(
                        train,
                        validation,
                        classes,
                        Workspace.root().resolve(MobileNetV2Weights.SHIPPED_FILE),
                        imageSize(),
                        batchSize,
                        cores,
                        where,
                        out)
                .optPrecision(precision);
    }

    /**
     * Our side for the step alone, which runs on a random batch: no training data, and 2 classes
     * (one logit), like the default data.
     */
    TrainingBenchmark stepOnly() {
        return benchmark(List.of(), List.of(), 2);
    }
}
