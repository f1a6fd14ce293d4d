package dev.catsdogs.trainer.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * {@code --device auto|cpu|gpu|gpu:N}: the syntax is checked when the option is parsed (a usage
 * error naming the value), the device against what DJL sees when training starts. Shared by {@code
 * train} and {@code bench-train}.
 */
public final class DeviceOption {

    private static final Pattern SPEC = Pattern.compile("auto|cpu|gpu(?::(\\d{1,4}))?");

    private DeviceOption() {}

    /** picocli converter: normalises the spelling, refuses anything else with the value named. */
    public static final class Converter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String spec = value.toLowerCase(Locale.ROOT);
            if (!SPEC.matcher(spec).matches()) {
                throw new CommandLine.TypeConversionException(
                        "Received --device '" + value + "'; expected one of auto, cpu, gpu, gpu:N");
            }
            return spec;
        }
    }

    /**
     * The DJL device of a checked spec; {@code auto} takes a GPU when DJL sees one.
     *
     * @throws IllegalArgumentException when the spec names a GPU DJL does not see, with what to do
     */
    public static Device resolve(String spec) {
        Engine engine = Engine.getInstance();
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "Received --device '" + spec + "'; expected one of auto, cpu, gpu, gpu:N");
        }
        if (spec.equals("auto")) {
            return engine.defaultDevice();
        }
        if (spec.equals("cpu")) {
            return Device.cpu();
        }
        int id = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        if (id >= engine.getGpuCount()) {
            throw new IllegalArgumentException(
                    "Received --device "
                            + spec
                            + " but DJL sees "
                            + engine.getGpuCount()
                            + " GPU(s). Run ./catsdogs --gpu ... (CUDA libtorch instead of the"
                            + " bundled CPU one), or use --device cpu");
        }
        return Device.gpu(id);
    }

    /**
     * Where training runs, for the first line of {@code train} and the run's files: {@code cpu, 2
     * threads (PyTorch 2.7.1)} or {@code gpu(0), CUDA 12.4, compute capability 9.0 (PyTorch ...)}.
     */
    public static String describe(Device device) {
        Engine engine = Engine.getInstance();
        String torch = "PyTorch " + engine.getVersion();
        if (device.isGpu()) {
            return device
                    + ", CUDA "
                    + CudaUtils.getCudaVersionString()
                    + ", compute capability "
                    + CudaUtils.getComputeCapability(device.getDeviceId())
                    + " ("
                    + torch
                    + ")";
        }
        return "cpu, " + JniUtils.getNumThreads() + " threads (" + torch + ")";
    }
}
