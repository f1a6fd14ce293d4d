/**
 * The embeddable cats-vs-dogs classifier: OpenCV preprocessing and ONNX Runtime inference, no DJL.
 *
 * <p>Entry points:
 *
 * <ul>
 *   <li>{@link dev.catsdogs.inference.ImageClassifier} - loads an ONNX model exported by the
 *       trainer, reads its {@link dev.catsdogs.inference.ModelMetadata} and classifies files,
 *       bytes, {@code BufferedImage}s and OpenCV {@code Mat}s, one at a time or in batches.
 *   <li>{@link dev.catsdogs.inference.ImagePreprocessor} - the only image preprocessing in the
 *       project (decode, RGB, bilinear half-pixel resize, scale, NCHW/NHWC float32), shared with
 *       the trainer so training and serving see the same tensors.
 * </ul>
 *
 * <p>Native resources have one owner each: the classifier owns its {@code OrtSession} (close it),
 * every {@code OnnxTensor}, {@code OrtSession.Result} and per-call {@code Mat} is closed or
 * released inside the call that made it. Bad images raise the checked {@link
 * dev.catsdogs.inference.InvalidImageException}, models that cannot be used raise {@link
 * dev.catsdogs.inference.ModelLoadException}; misuse raises {@code IllegalArgumentException} or
 * {@code IllegalStateException}.
 */
package dev.catsdogs.inference;
