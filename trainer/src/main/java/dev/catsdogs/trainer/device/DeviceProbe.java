package dev.catsdogs.trainer.device;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gathers the {@link DeviceFacts} of this machine: loads the engine and asks it which libtorch it
 * loaded and how many GPUs it can use, looks for {@code libtorch_cuda.so} beside the libtorch,
 * reads the driver version from {@code /proc/driver/nvidia/version} and the GPUs from {@code
 * nvidia-smi} (when there is one; a few hundred milliseconds).
 */
public final class DeviceProbe {

    private static final Path DRIVER_VERSION = Path.of("/proc/driver/nvidia/version");

    // DJL's own cache directories: <version>-<flavor>-<os>-<arch>, e.g. 2.7.1-cu128-linux-x86_64.
    private static final Pattern CACHE_DIR = Pattern.compile("[\\d.]+(?:-\\d+)?-(cu\\d+|cpu).*");

    private DeviceProbe() {}

    /** The facts of this machine, loading the engine if it was not loaded yet. */
    public static DeviceFacts probe() {
        Engine engine = Engine.getInstance();
        Path dir = Path.of(LibUtils.getLibtorchPath());
        boolean cuda =
                Files.exists(dir.resolve(System.mapLibraryName("torch_cuda")))
                        || Files.exists(dir.resolve(System.mapLibraryName("c10_cuda")));
        String driver = driverVersion();
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        return new DeviceFacts(
                engine.getVersion(),
                dir.toString(),
                cuda,
                cuda ? CudaDriver.cudaOfFlavor(flavor(dir)) : null,
                driver,
                driver == null ? List.of() : visibleInOrder(NvidiaSmi.gpus(), visible),
                cuda ? engine.getGpuCount() : 0,
                visible,
                CpuFeatures.current());
    }

    /** The flavor DJL was told ({@code PYTORCH_FLAVOR}), or the one its cache directory names. */
    private static String flavor(Path dir) {
        String told = Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR");
        if (told != null && !told.isEmpty()) {
            return told;
        }
        Matcher m = CACHE_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? m.group(1) : null;
    }

    private static String driverVersion() {
        try {
            return CudaDriver.parseKernelModuleVersion(
                    Files.readString(DRIVER_VERSION, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null; // no NVIDIA kernel module
        }
    }

    /**
     * nvidia-smi's GPUs in CUDA's numbering where {@code CUDA_VISIBLE_DEVICES} is a list of
     * indices, none where it is empty (UUIDs leave nvidia-smi's order). Names are a label: CUDA
     * orders GPUs fastest first unless {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}, nvidia-smi by bus.
     */
    static List<DeviceFacts.Gpu> visibleInOrder(List<DeviceFacts.Gpu> all, String visible) {
        if (visible != null && visible.isBlank()) {
            return List.of(); // set and empty: CUDA sees no GPU
        }
        if (visible == null || !visible.matches("\\s*\\d+(\\s*,\\s*\\d+)*\\s*")) {
            return all;
        }
        List<DeviceFacts.Gpu> ordered = new ArrayList<>();
        for (String id : visible.split(",")) {
            int i = Integer.parseInt(id.strip());
            if (i >= all.size()) {
                break; // CUDA stops at the first invalid id too
            }
            ordered.add(all.get(i));
        }
        return ordered;
    }

    /** {@code nvidia-smi --query-gpu}: the GPUs' names and compute capabilities. */
    static final class NvidiaSmi {

        private NvidiaSmi() {}

        /** The GPUs nvidia-smi lists; empty when it is missing or fails. */
        static List<DeviceFacts.Gpu> gpus() {
            List<String> lines = run("name,compute_cap");
            if (lines == null) {
                lines = run("name"); // drivers before 510 have no compute_cap field
            }
            return lines == null ? List.of() : parse(lines);
        }

        /** Lines {@code NAME[, MAJOR.MINOR]} as GPUs. */
        static List<DeviceFacts.Gpu> parse(List<String> lines) {
            List<DeviceFacts.Gpu> gpus = new ArrayList<>();
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.lastIndexOf(',');
                String last = comma < 0 ? "" : line.substring(comma + 1).strip();
                if (last.matches("\\d+\\.\\d+")) {
                    gpus.add(new DeviceFacts.Gpu(line.substring(0, comma).strip(), last));
                } else {
                    gpus.add(new DeviceFacts.Gpu(line.strip(), null));
                }
            }
            return gpus;
        }

        private static List<String> run(String fields) {
            try {
                Process p =
                        new ProcessBuilder(
                                        "nvidia-smi",
                                        "--query-gpu=" + fields,
                                        "--format=csv,noheader")
                                .redirectErrorStream(true)
                                .start();
                // A line per GPU fits the pipe: wait first, so that a hung nvidia-smi cannot hang
                // us.
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.exitValue() == 0 ? out.lines().toList() : null;
            } catch (IOException e) {
                return null; // no nvidia-smi
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
