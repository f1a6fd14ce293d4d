package dev.catsdogs.trainer.cli;

import dev.catsdogs.inference.cli.ThreadLimit;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.train.RuntimeSettings;
import dev.catsdogs.trainer.train.Setting;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}'s options of {@link RuntimeSettings}: device, precision, caching, threads. */
final class RuntimeOptions {

    private static final Map<Setting, String> OPTIONS =
            Map.of(
                    Setting.CACHE_BUDGET_BYTES, "--cache-budget",
                    Setting.DECODER_THREADS, "--threads");

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--device",
            defaultValue = "auto",
            converter = DeviceOption.Converter.class,
            description =
                    "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}; auto takes a CUDA GPU when"
                            + " DJL sees one).")
    private String device;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16|fp16",
            defaultValue = "fp32",
            description =
                    "Number type of the forward passes (cache builds and training): fp32 (the"
                        + " default), bf16 (GPUs of compute capability 8.0+, CPUs with AVX512-BF16"
                        + " or AMX) or fp16 (GPUs, with loss scaling). Weights, optimizer, loss and"
                        + " the exported model stay fp32.")
    private String precision;

    @Option(
            names = "--no-cache",
            negatable = false,
            description =
                    "Run the frozen layers every epoch instead of caching their activations (same"
                            + " results, slower).")
    private boolean noCache;

    @Option(
            names = "--cache-budget",
            defaultValue = "4g",
            paramLabel = "SIZE",
            description =
                    "Memory for each activation cache, e.g. 512m, 4g: a cache that fits stays on"
                            + " the training device (on a GPU, keep it under its free memory);"
                            + " a larger one is kept in host memory up to this size and"
                            + " memory-mapped from a temp file beyond it (default:"
                            + " ${DEFAULT-VALUE}).")
    private String cacheBudget;

    @Option(
            names = "--threads",
            description = "Image decoding threads (default: the number of cores).")
    private Integer threads;

    /** {@code --device} as given ({@code auto} by default). */
    String device() {
        return device;
    }

    /** Whether {@code --device} was on the command line. */
    boolean deviceGiven() {
        return command.commandLine().getParseResult().hasMatchedOption("--device");
    }

    /**
     * The runtime settings.
     *
     * @throws picocli.CommandLine.ParameterException (a usage error) naming the option at fault
     */
    RuntimeSettings settings() {
        UsageErrors errors = new UsageErrors(command);
        int cores = Runtime.getRuntime().availableProcessors();
        int maxThreads = ThreadLimit.max(cores);
        if (threads != null && (threads < 1 || threads > maxThreads)) {
            throw errors.error(
                    "Received --threads "
                            + threads
                            + "; expected 1.."
                            + maxThreads
                            + " ("
                            + ThreadLimit.FACTOR
                            + " x the "
                            + cores
                            + " cores)");
        }
        long budget = errors.parse("--cache-budget", () -> ByteSizes.parse(cacheBudget));
        Precision type = errors.choice("--precision", precision, Precision.values());
        return errors.build(
                () ->
                        new RuntimeSettings(
                                device, type, !noCache, budget, threads != null ? threads : cores),
                OPTIONS);
    }
}
