package dev.catsdogs.inference;

/** Where ONNX Runtime executes the model. */
public enum ExecutionProvider {
    /** The default; available in the {@code com.microsoft.onnxruntime:onnxruntime} artifact. */
    CPU,
    /**
     * NVIDIA GPUs. Needs the {@code com.microsoft.onnxruntime:onnxruntime_gpu} artifact on the
     * class path instead of {@code onnxruntime}, plus matching CUDA and cuDNN libraries; otherwise
     * {@link ImageClassifier.Builder#build()} fails with a {@link ModelLoadException} saying so.
     */
    CUDA
}
