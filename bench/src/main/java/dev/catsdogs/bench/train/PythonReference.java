package dev.catsdogs.bench.train;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * bench-train's PyTorch side: runs {@code bench/pytorch/train_step.py} and {@code workflow.py} with
 * a Python, and reads their last output line. When PyTorch is missing or fails, says why (with the
 * install command) on standard error and returns null: our side's figures still print, PyTorch's as
 * NaN.
 */
final class PythonReference {

    private final String python;
    private final BenchSettings settings;
    private final PrintStream out;

    /**
     * @param python the Python with Debian's python3-torch and python3-torchvision ({@code
     *     --python})
     * @param out where the scripts' progress lines go
     */
    PythonReference(String python, BenchSettings settings, PrintStream out) {
        this.python = python;
        this.settings = settings;
        this.out = out;
    }

    /**
     * Runs train_step.py with {@code args} on the settings' device and batch size; its last output
     * line, or null when PyTorch is not there or sees no GPU.
     */
    JsonObject trainStep(String... args) throws IOException, InterruptedException {
        Device where = settings.where();
        List<String> command = new ArrayList<>(List.of(args));
        // The same device and batch as our side.
        command.addAll(
                List.of(
                        "--device",
                        where.isGpu() ? "cuda:" + where.getDeviceId() : "cpu",
                        "--batch-size",
                        Integer.toString(settings.batchSize())));
        String last = run("train_step.py", command, where.isGpu());
        if (last == null) {
            return null;
        }
        out.println("pytorch: " + last);
        return JsonParser.parseString(last).getAsJsonObject();
    }

    /**
     * Runs workflow.py on the same data, threads, epochs and batch size (with {@code --quick},
     * every 10th image as ours); its figures, or null when it could not run.
     */
    WorkflowComparison workflow(Path data) throws IOException, InterruptedException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--data",
                                data.toString(),
                                "--weights",
                                Workspace.root()
                                        .resolve(MobileNetV2Weights.SHIPPED_FILE)
                                        .toString(),
                                "--threads",
                                Integer.toString(settings.cores()),
                                "--epochs",
                                Integer.toString(settings.featureExtractionEpochs()),
                                "--batch-size",
                                Integer.toString(settings.batchSize())));
        if (settings.quick()) {
            args.addAll(List.of("--every", Integer.toString(BenchSettings.QUICK_EVERY)));
        }
        out.println("PyTorch from Python, the whole workflow (bench/pytorch/workflow.py):");
        String last = run("workflow.py", args, false);
        if (last == null) {
            return null;
        }
        try {
            return WorkflowComparison.parse(last);
        } catch (IllegalArgumentException e) {
            System.err.println("PyTorch workflow skipped: " + e.getMessage());
            return null;
        }
    }

    /**
     * Runs bench/pytorch/{@code name} with {@code args} (its output lines shown as they come, for
     * workflow.py's progress); its last output line, or null (with the install command) when
     * PyTorch is not there or sees no GPU.
     */
    private String run(String name, List<String> args, boolean gpu)
            throws IOException, InterruptedException {
        Path script = Workspace.root().resolve("bench/pytorch/" + name);
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(args);
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
        } catch (IOException e) {
            System.err.println(
                    "PyTorch reference skipped: cannot run "
                            + python
                            + " ("
                            + e.getMessage()
                            + "); install it with: sudo apt-get install -y python3-torch"
                            + " python3-torchvision python3-onnx");
            return null;
        }
        String last = "";
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    last = line;
                    if (!line.startsWith("{")) {
                        out.println("  " + line);
                    }
                }
            }
        }
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            System.err.println(
                    "PyTorch reference skipped: " + script + " did not finish within 30 minutes");
            return null;
        }
        if (process.exitValue() != 0) {
            System.err.println(
                    "PyTorch reference failed (exit "
                            + process.exitValue()
                            + (gpu
                                    ? "); on a GPU it needs a CUDA build of PyTorch and"
                                            + " torchvision for --python (Debian's python3-torch"
                                            + " is CPU-only)"
                                    : "); needs Debian's python3-torch, python3-torchvision"
                                            + " and (workflow.py) python3-onnx: sudo apt-get"
                                            + " install -y python3-torch python3-torchvision"
                                            + " python3-onnx"));
            return null;
        }
        return last.isEmpty() ? "{}" : last;
    }
}
