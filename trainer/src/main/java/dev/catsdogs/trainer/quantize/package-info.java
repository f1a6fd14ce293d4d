/**
 * Post-training static int8 quantization of the exported float graph, in the QDQ form ONNX Runtime
 * fuses into integer kernels: {@link dev.catsdogs.trainer.quantize.ActivationCalibrator} runs the
 * float graph over training images and records each activation's statistics, a {@link
 * dev.catsdogs.trainer.quantize.RangeMethod} turns them into ranges, {@link
 * dev.catsdogs.trainer.quantize.QdqRewriter} writes the int8 graph, and {@link
 * dev.catsdogs.trainer.quantize.Int8Gate} keeps it only when it agrees with the float model on the
 * validation split. {@link dev.catsdogs.trainer.quantize.Int8Export} does all of it in order.
 */
package dev.catsdogs.trainer.quantize;
