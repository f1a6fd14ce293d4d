package dev.catsdogs.trainer.model;

import dev.catsdogs.inference.internal.Arguments;

/**
 * Zero-padding in front of a "valid" stride-2 convolution, as Keras' {@code correct_pad} computes
 * it.
 *
 * <p>Keras pads a stride-2 convolution so that its output matches TensorFlow's "same" padding: an
 * even input gets one row/column at the bottom/right only, an odd input one on each side.
 * PyTorch-style (torchvision) MobileNetV2 pads symmetrically instead; the two give different
 * features, so the padding style is part of the architecture.
 */
public final class KerasPadding {

    private KerasPadding() {}

    /** How stride-2 convolutions are padded. */
    public enum Style {
        /** Keras/TensorFlow: asymmetric, {@code correct_pad}. */
        KERAS,
        /** PyTorch/torchvision: {@code kernel / 2} on every side. */
        SYMMETRIC
    }

    /**
     * Padding of one spatial dimension for a convolution with the given kernel size.
     *
     * @param style the padding style
     * @param inputSize the height or width entering the pad
     * @param kernel the kernel size along that dimension
     * @return {@code {before, after}}
     */
    public static int[] correctPad(Style style, int inputSize, int kernel) {
        if (inputSize < 1) {
            throw Arguments.received("inputSize", inputSize, ">= 1");
        }
        if (kernel < 1) {
            throw Arguments.received("kernel", kernel, ">= 1");
        }
        int correct = kernel / 2;
        if (style == Style.SYMMETRIC) {
            return new int[] {correct, correct};
        }
        int adjust = 1 - inputSize % 2;
        return new int[] {correct - adjust, correct};
    }

    /** Output size of a valid convolution after padding. */
    public static int convOutputSize(int paddedSize, int kernel, int stride) {
        return (paddedSize - kernel) / stride + 1;
    }
}
