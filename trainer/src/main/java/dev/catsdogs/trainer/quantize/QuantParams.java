package dev.catsdogs.trainer.quantize;

/**
 * One tensor's affine quantization: {@code real = (q - zeroPoint) * scale}.
 *
 * @param scale the step between two integer levels, > 0
 * @param zeroPoint the integer that represents real 0
 */
public record QuantParams(float scale, int zeroPoint) {}
