package dev.catsdogs.trainer.libtorch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Installed PyTorches as tests need them, without PyTorch: the files discovery reads (empty
 * libraries), and Pythons that print what {@code import torch} would tell.
 */
public final class FakeTorch {

    private FakeTorch() {}

    /**
     * A pip install: {@code site/torch/{lib,version.py,share/cmake}} and, with CUDA, its runtime in
     * {@code site/nvidia/cuda_runtime/lib}.
     *
     * @return {@code site/torch/lib}
     */
    public static Path pip(Path site, String version, String cuda, boolean cxx11Abi)
            throws IOException {
        Path torch = site.resolve("torch");
        Path lib = Files.createDirectories(torch.resolve("lib"));
        Files.createFile(lib.resolve("libtorch.so"));
        Files.writeString(
                torch.resolve("version.py"),
                "from typing import Optional\n"
                        + "__all__ = ['__version__', 'debug', 'cuda']\n"
                        + "__version__ = '"
                        + version
                        + "'\ndebug = False\ncuda: Optional[str] = "
                        + (cuda == null ? "None" : "'" + cuda + "'")
                        + "\nhip: Optional[str] = None\n");
        cmakeConfig(torch, cxx11Abi);
        if (cuda != null) {
            Files.createFile(lib.resolve("libtorch_cuda.so"));
            Path runtime = Files.createDirectories(site.resolve("nvidia/cuda_runtime/lib"));
            Files.createFile(runtime.resolve("libcudart.so." + cuda.split("\\.")[0]));
        }
        return lib;
    }

    /** A libtorch zip's layout: {@code libtorch/{lib,build-version,share/cmake}}. */
    public static Path libtorchZip(Path dir, String buildVersion, boolean cxx11Abi)
            throws IOException {
        Path root = dir.resolve("libtorch");
        Path lib = Files.createDirectories(root.resolve("lib"));
        Files.createFile(lib.resolve("libtorch.so"));
        Files.writeString(root.resolve("build-version"), buildVersion + "\n");
        cmakeConfig(root, cxx11Abi);
        return lib;
    }

    private static void cmakeConfig(Path root, boolean cxx11Abi) throws IOException {
        Path config = Files.createDirectories(root.resolve("share/cmake/Torch"));
        Files.writeString(
                config.resolve("TorchConfig.cmake"),
                "if(CMAKE_SYSTEM_NAME STREQUAL \"Linux\")\n  set(TORCH_CXX_FLAGS"
                        + " \"-D_GLIBCXX_USE_CXX11_ABI="
                        + (cxx11Abi ? 1 : 0)
                        + "\")\nendif()\n");
    }

    /**
     * A Python that answers the discovery's probe as that PyTorch's would (after a warning line, as
     * a real import may print), and refuses to run anything else.
     */
    public static Path python(Path dir, Path libDir, String version, String cuda, boolean cxx11Abi)
            throws IOException {
        String json =
                String.format(
                        "{\"version\": \"%s\", \"cuda\": %s, \"cxx11_abi\": %s, \"lib_dir\":"
                                + " \"%s\", \"cmake_prefix\": \"%s\"}",
                        version,
                        cuda == null ? "null" : "\"" + cuda + "\"",
                        cxx11Abi,
                        libDir,
                        libDir.getParent().resolve("share/cmake"));
        return script(
                dir.resolve("python-" + version),
                "case \"$2\" in *'import json, os, torch'*) ;; *) echo \"unexpected: $*\"; exit"
                        + " 3;; esac\n"
                        + "echo 'UserWarning: {not json'\n"
                        + "echo '"
                        + json
                        + "'\n");
    }

    /** A Python without torch, failing as Python does. */
    public static Path pythonWithoutTorch(Path dir) throws IOException {
        return script(
                dir.resolve("python-bare"),
                "echo 'Traceback (most recent call last):' >&2\n"
                        + "echo \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
    }

    /** An executable shell script. */
    public static Path script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
