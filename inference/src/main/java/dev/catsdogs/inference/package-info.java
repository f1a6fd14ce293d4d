/**
 * The embeddable cats-vs-dogs classifier: OpenCV preprocessing and ONNX Runtime inference, no DJL.
 *
 * <p>Entry points:
 *
 * <ul>
 *   <li>{@link dev.catsdogs.inference.ImageClassifier} - loads an ONNX model exported by the
 *       trainer, reads its {@link dev.catsdogs.inference.ModelMetadata} and classifies files,
 *       bytes, {@code BufferedImage}s and OpenCV {@code Mat}s, one at a time or in batches with
 *       per-input {@link dev.catsdogs.inference.Outcome}s ({@code classifyAll}).
 *   <li>{@link dev.catsdogs.inference.ImagePreprocessor} - the only image preprocessing in the
 *       project (decode, RGB, bilinear half-pixel resize, scale, NCHW/NHWC float32), shared with
 *       the trainer so training and serving see the same tensors.
 *   <li>{@link dev.catsdogs.inference.DecisionRule} - the one rule from logits to a class index,
 *       shared with the trainer's evaluation; {@link dev.catsdogs.inference.BuildInfo} - the
 *       versions this library was built with.
 * </ul>
 *
 * <p>{@code dev.catsdogs.inference.internal} is not API: hooks for this project's trainer and
 * benchmarks that may change without notice.
 *
 * <p>Native resources have one owner each: the classifier owns its {@code OrtSession} and its
 * preprocessor's pooled scratch (close it), a standalone {@code ImagePreprocessor} owns its own
 * (close it), every {@code OnnxTensor}, {@code OrtSession.Result} and per-call {@code Mat} is
 * closed or released inside the call that made it. Bad images raise the checked {@link
 * dev.catsdogs.inference.InvalidImageException}, models that cannot be used raise {@link
 * dev.catsdogs.inference.ModelLoadException}; misuse raises {@code IllegalArgumentException} or
 * {@code IllegalStateException}.
 */
package dev.catsdogs.inference;
