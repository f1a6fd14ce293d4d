package dev.catsdogs.trainer.libtorch;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A PyTorch installed on this machine, as {@link TorchDiscovery} found it: what DJL needs to load
 * it ({@link #libDir}, {@link #release}, {@link #flavor}) and what a JNI build against it needs
 * ({@link #cmakePrefix}, {@link #cuda}, {@link #cxx11Abi}).
 *
 * @param version as PyTorch reports it, e.g. {@code 2.11.0+cu130}
 * @param cuda the CUDA version it was built for, e.g. {@code 13.0}; null for a CPU-only build
 * @param cxx11Abi whether it was compiled with the C++11 ABI of libstdc++ ({@code
 *     _GLIBCXX_USE_CXX11_ABI=1}; a JNI must match it)
 * @param libDir the folder holding {@code libtorch.so}
 * @param cmakePrefix the folder CMake's {@code find_package(Torch)} looks in ({@code share/cmake})
 * @param foundBy how it was found, for messages: {@code python3} or the folder given
 */
public record LocalTorch(
        String version,
        String cuda,
        boolean cxx11Abi,
        Path libDir,
        Path cmakePrefix,
        String foundBy) {

    public LocalTorch {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(libDir, "libDir");
        Objects.requireNonNull(foundBy, "foundBy");
    }

    /** The version without its local part: {@code 2.11.0+cu130} -> {@code 2.11.0}. */
    public String release() {
        int plus = version.indexOf('+');
        return plus < 0 ? version : version.substring(0, plus);
    }

    /**
     * DJL's name for the build: {@code cpu} or {@code cu} and the CUDA version's digits ({@code
     * cu128}), with {@code -precxx11} for the old C++ ABI.
     */
    public String flavor() {
        String base = cuda == null ? "cpu" : "cu" + cuda.replace(".", "");
        return cxx11Abi ? base : base + "-precxx11";
    }

    /** E.g. {@code PyTorch 2.11.0 (CUDA 13.0, C++11 ABI) in /usr/lib/python3/torch/lib}. */
    public String describe() {
        return "PyTorch "
                + release()
                + " ("
                + (cuda == null ? "CPU only" : "CUDA " + cuda)
                + ", "
                + (cxx11Abi ? "C++11 ABI" : "pre-C++11 ABI")
                + ") in "
                + libDir;
    }
}
