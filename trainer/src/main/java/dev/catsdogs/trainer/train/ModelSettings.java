package dev.catsdogs.trainer.train;

import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * The network a run trains: its ImageNet weights, the head's dropout and where fine-tuning starts
 * (the tutorial's {@code base_model}, {@code Dropout} and {@code fine_tune_at}).
 *
 * @param weights the ImageNet MobileNetV2 ONNX file or URL, or null for the shipped one
 * @param weightsSha256 expected SHA-256 of a downloaded weights file, or null
 * @param dropout fraction of the pooled features dropped before the Dense layer in training
 * @param fineTuneAt first trainable Keras layer of the base in fine-tuning
 */
@RecordBuilder
public record ModelSettings(String weights, String weightsSha256, float dropout, int fineTuneAt)
        implements ModelSettingsBuilder.With {

    /**
     * The tutorial's first trainable layer in fine-tuning: layer 100, {@code block_11_expand_BN}.
     */
    public static final int DEFAULT_FINE_TUNE_AT = 100;

    /** Largest Keras layer index of MobileNetV2's base that can start fine-tuning. */
    public static final int MAX_FINE_TUNE_AT = 155;

    /** The shipped weights, no dropout, fine-tuning from layer 100 (the seed's). */
    public static final ModelSettings DEFAULT =
            new ModelSettings(null, null, 0, DEFAULT_FINE_TUNE_AT);

    public ModelSettings {
        Setting.DROPOUT.require(dropout >= 0 && dropout < 1, dropout, "0 <= dropout < 1");
        Setting.FINE_TUNE_AT.require(
                fineTuneAt >= 0 && fineTuneAt <= MAX_FINE_TUNE_AT,
                fineTuneAt,
                "0.." + MAX_FINE_TUNE_AT);
    }
}
