package dev.catsdogs.trainer.device;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where training runs, decided from {@code --device} and the {@link DeviceFacts}, never by a silent
 * fallback: a GPU that was asked for and cannot be used ends the command with the cause ({@link
 * DeviceUnavailableException}), and {@code auto} on a machine whose GPU cannot be used trains on
 * the CPU with a warning that says why. A pure function of its arguments.
 */
public final class DevicePolicy {

    /** {@code --device}'s syntax. */
    public static final Pattern SPEC = Pattern.compile("auto|cpu|gpu(?::(\\d{1,4}))?");

    private DevicePolicy() {}

    /** Where to train, and the warnings to print before training. */
    public record Choice(Device device, List<String> warnings) {
        public Choice {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The device for {@code spec} ({@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}).
     *
     * @throws DeviceUnavailableException when {@code spec} names a GPU that cannot be used
     * @throws IllegalArgumentException when {@code spec} is not one of the forms above
     */
    public static Choice decide(String spec, DeviceFacts facts) {
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "Received --device '" + spec + "'; expected one of auto, cpu, gpu, gpu:N");
        }
        if (spec.equals("cpu")) {
            return new Choice(Device.cpu(), List.of());
        }
        if (spec.equals("auto")) {
            String cause = gpuUnusable(facts, 0);
            if (cause == null) {
                return new Choice(Device.gpu(0), List.of());
            }
            List<String> warnings = new ArrayList<>();
            if (facts.nvidiaPresent()) {
                warnings.add(
                        "an NVIDIA GPU is here ("
                                + present(facts)
                                + ") but training runs on the CPU: "
                                + cause);
            }
            return new Choice(Device.cpu(), warnings);
        }
        int id = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        String cause = gpuUnusable(facts, id);
        if (cause != null) {
            throw new DeviceUnavailableException("--device " + spec + ": " + cause);
        }
        return new Choice(Device.gpu(id), List.of());
    }

    /** Why GPU {@code id} cannot be used, or null when it can. */
    private static String gpuUnusable(DeviceFacts facts, int id) {
        if (!facts.libtorchHasCuda()) {
            return "the loaded libtorch is CPU-only (PyTorch "
                    + facts.pytorchVersion()
                    + " from "
                    + facts.libtorchDir()
                    + "); ./catsdogs --gpu ... trains on CUDA (DJL downloads its CUDA libtorch"
                    + " once, or --torch uses a local PyTorch; docs/training.md#gpu)";
        }
        String cuda = facts.libtorchCuda() == null ? "CUDA" : "CUDA " + facts.libtorchCuda();
        if (facts.driverVersion() == null) {
            String minimum =
                    facts.libtorchCuda() == null
                            ? null
                            : CudaDriver.minimumFor(facts.libtorchCuda());
            return "no NVIDIA driver is loaded (no /proc/driver/nvidia/version); this libtorch"
                    + " needs one for "
                    + cuda
                    + (minimum == null ? "" : " (driver " + minimum + " or newer)");
        }
        if (facts.libtorchCuda() != null
                && CudaDriver.tooOld(facts.driverVersion(), facts.libtorchCuda())) {
            return "the NVIDIA driver "
                    + facts.driverVersion()
                    + " is too old for this libtorch's "
                    + cuda
                    + ", which needs driver "
                    + CudaDriver.minimumFor(facts.libtorchCuda())
                    + " or newer: update the driver, or use a PyTorch built for an older CUDA"
                    + " (--torch)";
        }
        if (facts.visibleGpus() == 0) {
            return "PyTorch sees no GPU although the NVIDIA driver "
                    + facts.driverVersion()
                    + " is loaded"
                    + (facts.gpus().isEmpty() ? "" : " and nvidia-smi lists " + list(facts))
                    + (facts.cudaVisibleDevices() != null
                            ? "; CUDA_VISIBLE_DEVICES='"
                                    + facts.cudaVisibleDevices()
                                    + "' hides"
                                    + " them"
                            : "; DJL finds GPUs through libcudart: put the directory of"
                                    + " libcudart.so."
                                    + major(facts.libtorchCuda())
                                    + " on LD_LIBRARY_PATH");
        }
        if (id >= facts.visibleGpus()) {
            return "there is no GPU "
                    + id
                    + "; PyTorch sees "
                    + facts.visibleGpus()
                    + ", numbered from 0"
                    + (facts.gpus().isEmpty() ? "" : " (nvidia-smi lists " + list(facts) + ")");
        }
        return null;
    }

    private static String present(DeviceFacts facts) {
        String gpu = facts.gpus().isEmpty() ? "NVIDIA GPU" : facts.gpus().get(0).name();
        return facts.driverVersion() == null ? gpu : gpu + ", driver " + facts.driverVersion();
    }

    private static String list(DeviceFacts facts) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < facts.gpus().size(); i++) {
            names.add(String.format(Locale.ROOT, "%d: %s", i, facts.gpus().get(i).name()));
        }
        return facts.gpus().size() + " GPU(s): " + String.join(", ", names);
    }

    private static String major(String cuda) {
        return cuda == null ? "N" : cuda.split("\\.")[0];
    }
}
