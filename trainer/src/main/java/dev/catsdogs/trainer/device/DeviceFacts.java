package dev.catsdogs.trainer.device;

import java.util.List;
import java.util.Objects;

/**
 * What decides where training can run, as probed on this machine ({@link DeviceProbe}): the loaded
 * libtorch, the NVIDIA driver, the GPUs. A plain record, so that {@link DevicePolicy} is a pure
 * function of it and every branch can be tested with made-up facts.
 *
 * @param pytorchVersion the loaded libtorch's version, e.g. {@code 2.7.1}
 * @param libtorchDir where it was loaded from
 * @param libtorchHasCuda whether it is a CUDA build (its directory holds {@code libtorch_cuda.so})
 * @param libtorchCuda the CUDA version it was built for, e.g. {@code 12.8}; null when CPU-only or
 *     not known
 * @param driverVersion the NVIDIA kernel driver's version, e.g. {@code 550.54.15}; null when none
 *     is loaded
 * @param gpus the GPUs {@code nvidia-smi} lists, in its order; empty when none or no nvidia-smi
 * @param visibleGpus how many GPUs DJL's PyTorch can use (0 unless the libtorch has CUDA)
 * @param cudaVisibleDevices the {@code CUDA_VISIBLE_DEVICES} environment variable; null when unset
 * @param cpu the processor
 */
public record DeviceFacts(
        String pytorchVersion,
        String libtorchDir,
        boolean libtorchHasCuda,
        String libtorchCuda,
        String driverVersion,
        List<Gpu> gpus,
        int visibleGpus,
        String cudaVisibleDevices,
        CpuFeatures cpu) {

    public DeviceFacts {
        Objects.requireNonNull(pytorchVersion, "pytorchVersion");
        gpus = List.copyOf(gpus);
        Objects.requireNonNull(cpu, "cpu");
    }

    /**
     * One GPU as {@code nvidia-smi} names it.
     *
     * @param name e.g. {@code NVIDIA H100 80GB HBM3}
     * @param computeCapability e.g. {@code 9.0}; null when the driver does not say
     */
    public record Gpu(String name, String computeCapability) {}

    /** The GPU at {@code index}, or null when nvidia-smi did not list one there. */
    public Gpu gpu(int index) {
        return index >= 0 && index < gpus.size() ? gpus.get(index) : null;
    }

    /** Whether there is an NVIDIA GPU or driver on the machine, usable or not. */
    public boolean nvidiaPresent() {
        return driverVersion != null || !gpus.isEmpty();
    }
}
