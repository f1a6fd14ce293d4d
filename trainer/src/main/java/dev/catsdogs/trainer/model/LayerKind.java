package dev.catsdogs.trainer.model;

/** The Keras layer types that make up MobileNetV2, named as Keras' summary names them. */
public enum LayerKind {
    INPUT("InputLayer"),
    ZERO_PADDING("ZeroPadding2D"),
    CONV("Conv2D"),
    DEPTHWISE_CONV("DepthwiseConv2D"),
    BATCH_NORM("BatchNormalization"),
    RELU6("ReLU"),
    ADD("Add");

    private final String kerasName;

    LayerKind(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The class name Keras prints in {@code model.summary()}. */
    public String kerasName() {
        return kerasName;
    }
}
