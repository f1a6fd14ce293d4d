package dev.catsdogs.trainer.libtorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Points DJL at a {@link LocalTorch} before its engine loads, so that it trains with that PyTorch
 * and downloads nothing: the system properties DJL 0.36 reads when no environment variable of the
 * same name is set ({@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION}, {@code PYTORCH_FLAVOR},
 * {@code ai.djl.offline}), and {@code jna.library.path}, through which DJL's GPU count finds the
 * CUDA runtime of a pip install ({@code nvidia/.../lib/libcudart.so.N}, which is on no library
 * path).
 */
public final class TorchSetup {

    /** The settings DJL reads from the environment first, then from system properties. */
    static final String[] DJL_SETTINGS = {
        "PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR"
    };

    private static final Pattern CUDART = Pattern.compile("libcudart\\.so\\.\\d+(\\.\\d+)*");

    private TorchSetup() {}

    /**
     * The system properties that make DJL load {@code torch}.
     *
     * @param cudartDir the folder of its CUDA runtime, or null
     */
    static Map<String, String> properties(LocalTorch torch, Path cudartDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("PYTORCH_LIBRARY_PATH", torch.libDir().toString());
        p.put("PYTORCH_VERSION", torch.release());
        p.put("PYTORCH_FLAVOR", torch.flavor());
        p.put("ai.djl.offline", "true");
        if (cudartDir != null) {
            String jna = System.getProperty("jna.library.path");
            p.put("jna.library.path", jna == null ? cudartDir.toString() : cudartDir + ":" + jna);
        }
        return p;
    }

    /**
     * Checks that DJL can load {@code torch} without a download: a JNI fits it (DJL's own, or one
     * {@code gpu-jni} built), and no environment variable points DJL elsewhere.
     *
     * @param env the environment (whose DJL settings would override the properties)
     * @return how the JNI is found, for the user: DJL's own or the one gpu-jni built
     * @throws IllegalArgumentException with the one-line explanation and what to do
     */
    public static String check(LocalTorch torch, DjlJni jni, Map<String, String> env) {
        Map<String, String> properties = properties(torch, null);
        for (String name : DJL_SETTINGS) {
            String set = env.get(name);
            if (set != null && !set.equals(properties.get(name))) {
                throw new IllegalArgumentException(
                        "the environment variable "
                                + name
                                + "="
                                + set
                                + " overrides --torch "
                                + torch.foundBy()
                                + " (DJL reads the environment first; it says "
                                + properties.get(name)
                                + "): unset it");
            }
        }
        if (jni.bundledFor(torch)) {
            return "DJL " + jni.djlVersion() + "'s own JNI";
        }
        if (Files.isRegularFile(jni.pathFor(torch))) {
            return "the JNI gpu-jni built, " + jni.pathFor(torch);
        }
        throw new IllegalArgumentException(mismatch(torch, jni));
    }

    /**
     * Points DJL at {@code torch} ({@link #check} first): sets the system properties, which DJL
     * reads when its engine loads; this process then uses that PyTorch.
     */
    public static void apply(LocalTorch torch) {
        properties(torch, cudartDir(torch.libDir())).forEach(System::setProperty);
    }

    /** Why {@code torch} cannot be used as it is, and the two ways out. */
    static String mismatch(LocalTorch torch, DjlJni jni) {
        String pip =
                "pip install torch=="
                        + jni.pytorchVersion()
                        + " --index-url https://download.pytorch.org/whl/"
                        + (torch.cuda() == null ? "cpu" : "cu128");
        return "--torch "
                + torch.foundBy()
                + " found "
                + torch.describe()
                + ", but DJL "
                + jni.djlVersion()
                + " ships its JNI for "
                + jni.describeBundled()
                + " only, with the C++11 ABI. Either install that PyTorch ("
                + pip
                + "), or build the JNI for this one: ./catsdogs gpu-jni --torch "
                + torch.foundBy()
                + " --djl-source DIR (DIR: a DJL checkout at tag v"
                + jni.djlVersion()
                + "; docs/training.md#gpu)";
    }

    /**
     * The folder of the CUDA runtime ({@code libcudart.so.N}) that goes with {@code libDir}: in it
     * (libtorch zips), or in a pip install's {@code site-packages/nvidia/<package>/lib}; null when
     * there is none.
     */
    static Path cudartDir(Path libDir) {
        if (hasCudart(libDir)) {
            return libDir;
        }
        Path sitePackages = libDir.toAbsolutePath().normalize().getParent().getParent();
        Path nvidia = sitePackages == null ? null : sitePackages.resolve("nvidia");
        if (nvidia == null || !Files.isDirectory(nvidia)) {
            return null;
        }
        try (DirectoryStream<Path> packages = Files.newDirectoryStream(nvidia)) {
            for (Path p : packages) {
                if (hasCudart(p.resolve("lib"))) {
                    return p.resolve("lib");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    private static boolean hasCudart(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (CUDART.matcher(f.getFileName().toString()).matches()) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }
}
