package dev.catsdogs.trainer.model;

import com.google.gson.annotations.SerializedName;
import java.util.Locale;

/**
 * The number type of the training forward passes ({@code --precision}). Master weights, optimizer
 * state, the loss and the exported model are float32 whatever it is: Keras' {@code mixed_bfloat16}
 * and {@code mixed_float16} policies, not a network cast to a smaller type. See {@link
 * TransferNetwork#setPrecision}.
 */
public enum Precision {
    /** Everything in float32: the default, and the only type of the exported model. */
    @SerializedName("fp32")
    FP32,
    /** The forward in bfloat16: float32's range, 8 significant bits. */
    @SerializedName("bf16")
    BF16,
    /**
     * The forward in float16, with the loss scaled so that small gradients do not flush to zero
     * (float16 has 11 significant bits but a range of about 6e-8 to 65504).
     */
    @SerializedName("fp16")
    FP16;

    /** Whether the forward runs in a type smaller than float32. */
    public boolean reduced() {
        return this != FP32;
    }

    /** The name on the command line and in {@code config.json}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
