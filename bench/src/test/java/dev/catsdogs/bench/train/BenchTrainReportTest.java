package dev.catsdogs.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.catsdogs.trainer.model.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The lines scripts and docs read back from bench-train, exactly as the command printed them before
 * it was split into one class per mode (PyTorch's side not run: NaN).
 */
class BenchTrainReportTest {

    private static final TrainingBenchmark.StepFigures STEP =
            new TrainingBenchmark.StepFigures(500, 200, 150);

    private static final TrainingBenchmark.Figures FIGURES =
            new TrainingBenchmark.Figures(
                    20, 60, 4, 1, 5, 10, 10, STEP, 900L << 20, 950L << 20, 1200L << 20);

    private static String printed(BenchSettings settings, Consumer<BenchTrainReport> print) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BenchSettings to =
                new BenchSettings(
                        settings.batchSize(),
                        settings.cores(),
                        settings.where(),
                        settings.precision(),
                        settings.quick(),
                        settings.python(),
                        out);
        print.accept(to.report());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static BenchSettings cpu(Precision precision) {
        return new BenchSettings(32, 2, Device.cpu(), precision, false, "python3", System.out);
    }

    @Test
    void fullRunRatioLine() {
        assertEquals(
                "ratio: fe_speedup=3.00 ft_epoch_speedup=5.00 total_speedup=3.24"
                        + " step_vs_pytorch=NaN forward_vs_pytorch=NaN whole_vs_pytorch=NaN\n",
                printed(cpu(Precision.FP32), r -> r.fullRatio(FIGURES, null, null)));
    }

    @Test
    void cachingTableCountsTheRunsEpochs() {
        assertEquals(
                "| measurement | cached | --no-cache | speed-up |\n"
                        + "|---|---|---|---|\n"
                        + "| feature-extraction phase (10 epochs + validation), s | 20.0 | 60.0"
                        + " | 3.00x |\n"
                        + "| one fine-tuning epoch + validation, s | 1.0 | 5.0 | 5.00x |\n"
                        + "| fine-tuning cache build (once), s | 4.0 | - | |\n"
                        + "| whole default run (phase 1 + cache + 10 fine-tuning epochs), s | 34.0"
                        + " | 110.0 | 3.24x |\n",
                printed(cpu(Precision.FP32), r -> r.cachingTable(FIGURES)));
    }

    @Test
    void memoryAndWorkflowLinesWithoutPytorch() {
        assertEquals(
                "memory: peak RSS 1200 MiB; RSS after epoch 2 900 MiB, after epoch 10 950 MiB"
                        + " (plain feature extraction, each after a full GC)\n"
                        + "workflow: ours_s=34.0 pytorch_s=NaN (not run)\n"
                        + "ratio: whole_vs_pytorch=NaN\n",
                printed(
                        cpu(Precision.FP32),
                        r -> {
                            r.memoryLine(FIGURES);
                            r.workflowLine(FIGURES.totalCached(), null);
                            r.workflowRatio(FIGURES.totalCached(), null);
                        }));
    }

    @Test
    void workflowRatioIsOursOverPytorchs() {
        WorkflowComparison python = new WorkflowComparison(17, 10, 7, 0.9, 0.95);
        assertEquals(
                "ratio: whole_vs_pytorch=2.00\n",
                printed(cpu(Precision.FP32), r -> r.workflowRatio(34, python)));
    }

    @Test
    void stepRatioNamesTheDeviceAndAReducedPrecision() {
        assertEquals(
                "ratio: step_vs_pytorch=NaN forward_vs_pytorch=NaN device=cpu()\n",
                printed(cpu(Precision.FP32), r -> r.stepRatio(STEP, null)));
        assertEquals(
                "ratio: step_vs_pytorch=NaN forward_vs_pytorch=NaN device=cpu() precision=bf16\n",
                printed(cpu(Precision.BF16), r -> r.stepRatio(STEP, null)));
    }
}
