package dev.catsdogs.trainer.device;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which NVIDIA driver a CUDA version needs. Within a CUDA major version a newer toolkit runs on the
 * first driver of that major version (CUDA minor version compatibility, CUDA 11.1 on), so the
 * minimums are per major version: NVIDIA's table "Minimum Required Driver Version for CUDA Minor
 * Version Compatibility" (Linux).
 */
public final class CudaDriver {

    private static final Map<Integer, String> MINIMUM_DRIVER =
            Map.of(11, "450.80.02", 12, "525.60.13", 13, "580.65.06");

    private static final Pattern KERNEL_MODULE =
            Pattern.compile("NVRM version:.*?(\\d+\\.\\d+(?:\\.\\d+)?)");

    private CudaDriver() {}

    /**
     * The lowest Linux driver that runs CUDA {@code cuda} (e.g. {@code 12.8}), or null when this
     * table does not know its major version.
     */
    public static String minimumFor(String cuda) {
        return MINIMUM_DRIVER.get(major(cuda));
    }

    /** Whether driver {@code driver} is older than CUDA {@code cuda} needs (false when unknown). */
    public static boolean tooOld(String driver, String cuda) {
        String minimum = minimumFor(cuda);
        return minimum != null && compare(driver, minimum) < 0;
    }

    /** The driver version in the text of {@code /proc/driver/nvidia/version}, or null. */
    public static String parseKernelModuleVersion(String text) {
        Matcher m = KERNEL_MODULE.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** {@code cu128} -> {@code 12.8}, {@code cu130-precxx11} -> {@code 13.0}; null otherwise. */
    public static String cudaOfFlavor(String flavor) {
        Matcher m = Pattern.compile("cu(\\d+)(\\d)(?:-.*)?").matcher(flavor == null ? "" : flavor);
        return m.matches() ? m.group(1) + "." + m.group(2) : null;
    }

    /** Compares dotted version numbers numerically, part by part. */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version.split("\\.")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
