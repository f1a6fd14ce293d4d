/**
 * {@code ./catsdogs bench}: JMH benchmarks of the inference hot path (preprocessing, ONNX Runtime,
 * end to end, concurrency) beside its peers on the same network (DJL's PyTorch predictor, OpenCV
 * DNN), the ceiling from the model's multiply-accumulates and the machine's measured FLOP rate, and
 * a resident-memory check.
 *
 * <p>{@link dev.catsdogs.bench.BenchCommand} is the entry point; the benchmarks themselves are in
 * {@link dev.catsdogs.bench.jmh}.
 */
package dev.catsdogs.bench;
