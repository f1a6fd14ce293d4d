package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.model.Precision;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Objects;

/**
 * Where and how a run computes: none of these change what it learns, except {@code precision} (see
 * {@link dev.catsdogs.trainer.model.TransferNetwork#setPrecision}).
 *
 * @param device "auto", "cpu", "gpu" or "gpu:N", as given (the CLI resolves it to a device)
 * @param precision the type of the training forwards; weights, optimizer, loss and export stay
 *     float32
 * @param cache whether frozen layers' activations are cached (results are the same either way)
 * @param cacheBudgetBytes bytes of each activation cache: one that fits lives on the training
 *     device; a larger one in host memory up to this size, memory-mapped from disk beyond it
 * @param decoderThreads image decoding threads
 */
@RecordBuilder
public record RuntimeSettings(
        String device,
        Precision precision,
        boolean cache,
        long cacheBudgetBytes,
        int decoderThreads)
        implements RuntimeSettingsBuilder.With {

    /** Bytes of each activation cache on the device, or in host memory before it spills: 4 GiB. */
    public static final long DEFAULT_CACHE_BUDGET_BYTES = 4L << 30;

    public RuntimeSettings {
        Objects.requireNonNull(device, "device");
        precision = precision == null ? Precision.FP32 : precision; // config.json from before bf16
        Setting.CACHE_BUDGET_BYTES.require(cacheBudgetBytes >= 0, cacheBudgetBytes, ">= 0");
        Setting.DECODER_THREADS.require(decoderThreads >= 1, decoderThreads, ">= 1");
    }

    /** Any device, float32, cached within 4 GiB, a decoding thread per core. */
    public static RuntimeSettings defaults() {
        return new RuntimeSettings(
                "auto",
                Precision.FP32,
                true,
                DEFAULT_CACHE_BUDGET_BYTES,
                Runtime.getRuntime().availableProcessors());
    }
}
