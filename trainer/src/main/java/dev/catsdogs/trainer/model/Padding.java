package dev.catsdogs.trainer.model;

import ai.djl.ndarray.types.Shape;

/**
 * Zero-padding of a feature map's four sides, in pixels. One type for the three orders the
 * libraries use: ONNX's {@code pads} ({@link #toOnnx()}), DJL's {@code NDArray.pad} ({@link
 * #toDjl()}), and Keras' {@code ((top, bottom), (left, right))} read off the fields.
 */
public record Padding(int top, int bottom, int left, int right) {

    public Padding {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("Received negative padding " + this);
        }
    }

    /** ONNX {@code pads} of a 2-D conv: {@code [top, left, bottom, right]} (begins, then ends). */
    public long[] toOnnx() {
        return new long[] {top, left, bottom, right};
    }

    /** {@code NDArray.pad}'s shape: (before, after) pairs from the last axis back, W then H. */
    public Shape toDjl() {
        return new Shape(left, right, top, bottom);
    }

    /**
     * Whether each side equals its opposite (torchvision's style), as opposed to Keras' extra
     * bottom/right.
     */
    public boolean symmetric() {
        return top == bottom && left == right;
    }

    /** Adds another padding side by side (a Pad node feeding a conv that pads too). */
    public Padding plus(Padding other) {
        return new Padding(
                top + other.top, bottom + other.bottom, left + other.left, right + other.right);
    }
}
