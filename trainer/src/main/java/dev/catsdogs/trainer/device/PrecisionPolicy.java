package dev.catsdogs.trainer.device;

import ai.djl.Device;
import dev.catsdogs.trainer.model.Precision;

/**
 * Whether {@code --precision} makes sense on the chosen device, decided before anything runs: a
 * reduced type the device has no fast arithmetic for would train slower than float32, so it is
 * refused with the reason (exit 2). A pure function of its arguments.
 *
 * <ul>
 *   <li>CPU, bfloat16: needs AVX512-BF16 or AMX-BF16 ({@link CpuFeatures#nativeBf16}).
 *   <li>CPU, float16: refused; float16 with loss scaling is for GPUs.
 *   <li>GPU, bfloat16: needs compute capability 8.0 (Ampere) or newer, when nvidia-smi says.
 * </ul>
 */
public final class PrecisionPolicy {

    private PrecisionPolicy() {}

    /**
     * @throws IllegalArgumentException naming the precision, the device and what to use instead
     */
    public static void check(Precision precision, Device device, DeviceFacts facts) {
        if (!precision.reduced()) {
            return;
        }
        if (!device.isGpu()) {
            if (precision == Precision.FP16) {
                throw new IllegalArgumentException(
                        "--precision fp16 is for GPUs (float16 kernels, loss scaling); on the CPU"
                                + " use bf16 (where the processor has AVX512-BF16 or AMX) or fp32");
            }
            if (!facts.cpu().nativeBf16()) {
                throw new IllegalArgumentException(
                        "--precision bf16 on the CPU needs AVX512-BF16 or AMX-BF16, which this"
                                + " processor ("
                                + facts.cpu().model()
                                + ") lacks: PyTorch would emulate bfloat16, slower than fp32;"
                                + " use fp32");
            }
            return;
        }
        DeviceFacts.Gpu gpu = facts.gpu(device.getDeviceId());
        if (precision == Precision.BF16
                && gpu != null
                && gpu.computeCapability() != null
                && CudaDriver.compare(gpu.computeCapability(), "8.0") < 0) {
            throw new IllegalArgumentException(
                    "--precision bf16 needs a GPU of compute capability 8.0 (Ampere) or newer; "
                            + device
                            + " ("
                            + gpu.name()
                            + ") is "
                            + gpu.computeCapability()
                            + ": use fp16");
        }
    }
}
