package dev.catsdogs.bench.train;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Everything bench-train prints that a reader or a script reads back: the Markdown tables, the
 * {@code workflow:} line and the {@code ratio:} lines, in one place so each format has one
 * definition. PyTorch's figures are NaN where its script did not run.
 */
final class BenchTrainReport {

    private final BenchSettings settings;
    private final PrintStream out;

    BenchTrainReport(BenchSettings settings) {
        this.settings = settings;
        this.out = settings.out();
    }

    /** The caching table of the full run: each phase cached against {@code --no-cache}. */
    void cachingTable(TrainingBenchmark.Figures f) {
        out.println("| measurement | cached | --no-cache | speed-up |");
        out.println("|---|---|---|---|");
        cachingRow(
                "feature-extraction phase (" + f.feEpochs() + " epochs + validation), s",
                f.feCached(),
                f.feUncached());
        cachingRow("one fine-tuning epoch + validation, s", f.ftEpochCached(), f.ftEpochUncached());
        out.printf(
                Locale.ROOT,
                "| fine-tuning cache build (once), s | %.1f | - | |%n",
                f.ftCacheBuild());
        cachingRow(
                "whole default run (phase 1 + cache + " + f.ftEpochs() + " fine-tuning epochs), s",
                f.totalCached(),
                f.totalUncached());
    }

    private void cachingRow(String what, double cached, double plain) {
        out.printf(
                Locale.ROOT, "| %s | %.1f | %.1f | %.2fx |%n", what, cached, plain, plain / cached);
    }

    /** The full run's memory line: RSS across the plain feature-extraction epochs. */
    void memoryLine(TrainingBenchmark.Figures f) {
        out.printf(
                Locale.ROOT,
                "memory: peak RSS %d MiB; RSS after epoch 2 %d MiB, after epoch %d %d MiB "
                        + "(plain feature extraction, each after a full GC)%n",
                f.peakRss() >> 20,
                f.rssAfterEpoch2() >> 20,
                f.feEpochs(),
                f.rssAfterLastEpoch() >> 20);
    }

    /**
     * The step and forward table: ours against PyTorch's, the forward with BatchNorm separate (all
     * layers trainable) and folded (base frozen, as the trainer's cache builds run it).
     */
    void stepTable(TrainingBenchmark.StepFigures ours, JsonObject torch) {
        String pytorchSide =
                torch == null
                        ? "PyTorch from Python (not run)"
                        : "PyTorch "
                                + torch.get("torch").getAsString()
                                + " from Python, "
                                + torch.get("device_name").getAsString();
        out.printf(
                Locale.ROOT,
                "| batch %d, %dx%d, median ms, %s | catsdogs (DJL %s, PyTorch %s) | %s | ratio |%n",
                settings.batchSize(),
                settings.imageSize(),
                settings.imageSize(),
                settings.where(),
                Engine.getDjlVersion(),
                Engine.getInstance().getVersion(),
                pytorchSide);
        out.println("|---|---|---|---|");
        stepRow("training step (all layers trainable)", ours.stepMs(), torch, "train_step_ms");
        stepRow("inference forward, BatchNorm separate", ours.forwardMs(), torch, "forward_ms");
        stepRow(
                "inference forward, base frozen, BatchNorm folded",
                ours.forwardFoldedMs(),
                torch,
                "forward_folded_ms");
    }

    private void stepRow(String what, double oursMs, JsonObject torch, String key) {
        double torchMs = number(torch, key);
        out.printf(
                Locale.ROOT,
                "| %s | %.0f | %.0f | %.2f |%n",
                what,
                oursMs,
                torchMs,
                oursMs / torchMs);
    }

    /** The input pipeline's table and its {@code pipeline:} line. */
    void pipeline(PipelineBenchmark.Figures f, int images) {
        out.print(f.table(images, settings.imageSize(), settings.batchSize()));
        out.println();
        out.println(f.line());
    }

    /** The {@code workflow:} line; NaN for PyTorch's side when workflow.py did not run. */
    void workflowLine(double oursS, WorkflowComparison python) {
        out.println(
                python != null
                        ? python.line(oursS)
                        : String.format(
                                Locale.ROOT,
                                "workflow: ours_s=%.1f pytorch_s=NaN (not run)",
                                oursS));
    }

    /** The full run's ratio line, last. */
    void fullRatio(TrainingBenchmark.Figures f, JsonObject torch, WorkflowComparison python) {
        out.printf(
                Locale.ROOT,
                "ratio: fe_speedup=%.2f ft_epoch_speedup=%.2f total_speedup=%.2f "
                        + "step_vs_pytorch=%.2f forward_vs_pytorch=%.2f whole_vs_pytorch=%.2f%n",
                f.feSpeedup(),
                f.ftEpochSpeedup(),
                f.totalUncached() / f.totalCached(),
                f.step().stepMs() / number(torch, "train_step_ms"),
                f.step().forwardFoldedMs() / number(torch, "forward_folded_ms"),
                wholeVsPytorch(f.totalCached(), python));
    }

    /** The whole-run comparison's ratio line ({@code --workflow}), last. */
    void workflowRatio(double oursS, WorkflowComparison python) {
        out.printf(Locale.ROOT, "ratio: whole_vs_pytorch=%.2f%n", wholeVsPytorch(oursS, python));
    }

    /** The step comparison's ratio line ({@code --device}), last. */
    void stepRatio(TrainingBenchmark.StepFigures ours, JsonObject torch) {
        out.printf(
                Locale.ROOT,
                "ratio: step_vs_pytorch=%.2f forward_vs_pytorch=%.2f device=%s%s%n",
                ours.stepMs() / number(torch, "train_step_ms"),
                ours.forwardFoldedMs() / number(torch, "forward_folded_ms"),
                settings.where(),
                settings.precision().reduced() ? " precision=" + settings.precision() : "");
    }

    private static double wholeVsPytorch(double oursS, WorkflowComparison python) {
        return python == null ? Double.NaN : python.wholeVsPytorch(oursS);
    }

    private static double number(JsonObject json, String key) {
        return json == null || !json.has(key) ? Double.NaN : json.get(key).getAsDouble();
    }

    /** What {@code --profile} profiles, for its first line and summary.md. */
    record Profiled(boolean forward, int fineTuneAt, boolean fused, int steps) {

        String unit() {
            return forward ? "forward" : "step";
        }

        String what() {
            if (forward) {
                return "inference forward, base frozen, BatchNorm folded into the convolutions";
            }
            String trainable =
                    fineTuneAt == 0
                            ? "all layers trainable"
                            : "layers from " + fineTuneAt + " on trainable";
            return "training step, "
                    + trainable
                    + ", our update "
                    + (fused ? "fused RMSprop" : "KerasRmsProp (unfused)");
        }
    }

    /** {@code --profile}'s first line. */
    void profileHeader(Profiled p) {
        out.printf(
                Locale.ROOT,
                "bench-train --profile: %s, batch %d on %s, 3 warm-up + %d profiled on each side,"
                        + " %d threads for PyTorch from Python%n",
                p.what(),
                settings.batchSize(),
                settings.where(),
                p.steps(),
                settings.cores());
    }

    /**
     * {@code --profile}'s tables and lines, printed; returns them as summary.md, under a heading
     * and a paragraph on what was profiled.
     *
     * @param pytorch PyTorch's trace, or null when it did not run
     * @param update our optimizer update's trace, or null when the forward was profiled
     * @param torch train_step.py's figures, or null when it did not run
     * @param traces the folder of the traces, as printed
     */
    String profile(
            Profiled p,
            String stamp,
            TraceSummary djl,
            TraceSummary pytorch,
            TraceSummary update,
            JsonObject torch,
            String traces) {
        String table = ProfileTable.markdown(djl, pytorch);
        double pytorchMs = pytorch == null ? Double.NaN : pytorch.totalMs();
        String line =
                String.format(
                        Locale.ROOT,
                        "profile: djl_ms=%.1f pytorch_ms=%.1f ratio=%.2f traces=%s",
                        djl.totalMs(),
                        pytorchMs,
                        djl.totalMs() / pytorchMs,
                        traces);
        String calls = ProfileTable.callsMarkdown(djl, pytorch);
        String opsLine =
                String.format(
                        Locale.ROOT,
                        "ops_per_%s: ours=%s pytorch=%s%s",
                        p.unit(),
                        ProfileTable.count(djl.opsPerStep()),
                        pytorch == null ? "NaN" : ProfileTable.count(pytorch.opsPerStep()),
                        update == null
                                ? ""
                                : " optimizer=" + ProfileTable.count(update.opsPerStep()));
        out.println();
        out.print(table);
        out.println();
        out.println(line);
        out.println();
        out.print(calls);
        out.println();
        out.println(opsLine);

        String pytorchSide =
                torch == null
                        ? " from Python: not run"
                        : String.format(
                                Locale.ROOT,
                                " %s from Python, %d threads%s",
                                torch.get("torch").getAsString(),
                                settings.cores(),
                                p.forward() ? ", BatchNorm folded by torch.fx's fuse" : "");
        String heading =
                String.format(
                        Locale.ROOT,
                        "# %s profile, %s\n\nSelf ms per %s by operator (its time minus that of the"
                                + " operators it calls), mean of %d profiled %ss after 3 warm-up"
                                + " ones: batch %d, 3x%dx%d, %s, on %s. catsdogs (DJL %s, PyTorch"
                                + " %s) vs PyTorch%s. Operators of at least 1%% of either side's"
                                + " total.",
                        p.forward() ? "Frozen forward" : "Training step",
                        stamp,
                        p.unit(),
                        p.steps(),
                        p.unit(),
                        settings.batchSize(),
                        settings.imageSize(),
                        settings.imageSize(),
                        p.what(),
                        settings.where(),
                        Engine.getDjlVersion(),
                        Engine.getInstance().getVersion(),
                        pytorchSide);
        String callsIntro =
                "Operator calls per "
                        + p.unit()
                        + " issued by the host (aten:: operators not inside another; from Java,"
                        + " TorchScript or Python), operators of at least 1% of either side's"
                        + " calls."
                        + (p.forward()
                                ? ""
                                : " The optimizer's: our update alone, profiled in"
                                        + " djl-update-trace.json.");
        return String.join(
                "\n",
                heading,
                "",
                table, // ends with a newline
                line,
                "",
                callsIntro,
                "",
                calls,
                opsLine,
                "");
    }
}
