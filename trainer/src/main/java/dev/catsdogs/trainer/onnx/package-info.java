/**
 * ONNX in and out: {@link dev.catsdogs.trainer.onnx.MobileNetV2Weights} imports ImageNet weights
 * from an ONNX MobileNetV2 (float or QDQ int8, Keras or torchvision padding), {@link
 * dev.catsdogs.trainer.onnx.OnnxExporter} writes the trained network as an ONNX graph, and {@link
 * dev.catsdogs.trainer.workflow.ModelExport} adds the inference contract to it and keeps the file
 * only when ONNX Runtime and DJL agree on validation images.
 */
package dev.catsdogs.trainer.onnx;
