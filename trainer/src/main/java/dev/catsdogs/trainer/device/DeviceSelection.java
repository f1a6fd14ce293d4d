package dev.catsdogs.trainer.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.catsdogs.trainer.model.Precision;
import java.util.List;

/**
 * Where a command trains, chosen from the machine's facts by {@link DevicePolicy} and checked
 * against {@code --precision} by {@link PrecisionPolicy}: the device, the warnings to print before
 * training, and the facts, which every run records.
 *
 * @param device where to train
 * @param warnings what the user should know first (e.g. a GPU that {@code auto} could not use)
 * @param facts the machine's libtorch, driver and GPUs
 */
public record DeviceSelection(Device device, List<String> warnings, DeviceFacts facts) {

    public DeviceSelection {
        warnings = List.copyOf(warnings);
    }

    /**
     * Probes this machine (loading the engine) and chooses.
     *
     * @throws DeviceUnavailableException when {@code spec} names a GPU that cannot be used
     * @throws IllegalArgumentException when {@code precision} does not fit the device
     */
    public static DeviceSelection choose(String spec, Precision precision) {
        DeviceFacts facts = DeviceProbe.probe();
        DevicePolicy.Choice choice = DevicePolicy.decide(spec, facts);
        PrecisionPolicy.check(precision, choice.device(), facts);
        return new DeviceSelection(choice.device(), choice.warnings(), facts);
    }

    /**
     * For the first line of {@code train} and the run's files: {@code cpu, 2 threads (PyTorch
     * 2.7.1)} or {@code gpu(0), NVIDIA H100 80GB HBM3, compute capability 9.0, driver 550.54.15,
     * CUDA 12.8 (PyTorch 2.7.1)}.
     */
    public String describe() {
        String torch = "PyTorch " + facts.pytorchVersion();
        if (!device.isGpu()) {
            Engine.getInstance(); // loaded by the probe; the thread count is its
            return "cpu, " + JniUtils.getNumThreads() + " threads (" + torch + ")";
        }
        StringBuilder s = new StringBuilder(device.toString());
        DeviceFacts.Gpu gpu = facts.gpu(device.getDeviceId());
        if (gpu != null) {
            s.append(", ").append(gpu.name());
            if (gpu.computeCapability() != null) {
                s.append(", compute capability ").append(gpu.computeCapability());
            }
        }
        s.append(", driver ").append(facts.driverVersion());
        if (facts.libtorchCuda() != null) {
            s.append(", CUDA ").append(facts.libtorchCuda());
        }
        return s.append(" (").append(torch).append(')').toString();
    }

    /**
     * What report.json records of where the run trains: the device, PyTorch and its libtorch (and
     * CUDA), the NVIDIA driver, the GPU's name and compute capability, the CPU. A value is null
     * where it does not apply.
     */
    public java.util.Map<String, String> reportFields() {
        DeviceFacts.Gpu gpu = device.isGpu() ? facts.gpu(device.getDeviceId()) : null;
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("device", device.toString());
        fields.put("pytorch", facts.pytorchVersion());
        fields.put("libtorch", facts.libtorchDir());
        fields.put("libtorch_cuda", facts.libtorchCuda());
        fields.put("nvidia_driver", facts.driverVersion());
        fields.put("gpu", gpu == null ? null : gpu.name());
        fields.put("gpu_compute_capability", gpu == null ? null : gpu.computeCapability());
        fields.put("cpu", facts.cpu().model());
        return fields;
    }
}
