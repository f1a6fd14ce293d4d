package dev.catsdogs.bench.train;

import com.google.gson.JsonObject;
import dev.catsdogs.bench.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench-train --profile}: both sides' traces of the same step (or, with {@code --forward},
 * of the same frozen forward), summarised into one table; traces and summary.md go to
 * bench/results/profile-&lt;time&gt;/.
 */
final class ProfileRun {

    private ProfileRun() {}

    static int run(BenchSettings settings, BenchTrainReport.Profiled p) throws Exception {
        String stamp =
                LocalDateTime.now()
                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = Workspace.root().resolve("bench/results/profile-" + stamp);
        // Printed and written relative to the repository: summary.md may be committed.
        Path shown = Workspace.root().relativize(dir);
        Files.createDirectories(dir);
        BenchTrainReport report = settings.report();
        report.profileHeader(p);

        Path djlTrace = dir.resolve("djl-trace.json");
        Path updateTrace = dir.resolve("djl-update-trace.json");
        Path torchTrace = dir.resolve("pytorch-trace.json");
        TrainingBenchmark ours = settings.stepOnly();
        List<String> torchArgs =
                new ArrayList<>(
                        List.of(
                                Integer.toString(settings.cores()),
                                Integer.toString(p.steps()),
                                "--fine-tune-at",
                                Integer.toString(p.fineTuneAt()),
                                "--profile",
                                torchTrace.toString()));
        if (p.forward()) {
            ours.profileForward(p.steps(), djlTrace);
            torchArgs.add("--forward");
        } else {
            ours.profileStep(p.steps(), p.fineTuneAt(), p.fused(), djlTrace, updateTrace);
        }
        JsonObject torch = settings.pytorch().trainStep(torchArgs.toArray(String[]::new));

        TraceSummary djl = TraceSummary.read(djlTrace, p.steps());
        TraceSummary pytorch = torch == null ? null : TraceSummary.read(torchTrace, p.steps());
        TraceSummary update = p.forward() ? null : TraceSummary.read(updateTrace, p.steps());
        String summary = report.profile(p, stamp, djl, pytorch, update, torch, shown.toString());
        Files.writeString(dir.resolve("summary.md"), summary, StandardCharsets.UTF_8);
        return 0;
    }
}
