package dev.catsdogs.trainer.libtorch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds an installed PyTorch for {@code --torch}: through a Python that imports it, or in a folder
 * holding {@code libtorch.so} (a pip install's {@code torch/lib}, or the {@code lib} of a libtorch
 * zip). Every way it can fail is an {@link IllegalArgumentException} whose message names the value
 * and the problem in one line.
 */
public final class TorchDiscovery {

    /** What the Python prints: one JSON line, everything {@link LocalTorch} holds. */
    static final String PYTHON_PROBE =
            "import json, os, torch, torch.utils; print(json.dumps({"
                    + "'version': torch.__version__, "
                    + "'cuda': torch.version.cuda, "
                    + "'cxx11_abi': bool(torch._C._GLIBCXX_USE_CXX11_ABI), "
                    + "'lib_dir': os.path.join(os.path.dirname(torch.__file__), 'lib'), "
                    + "'cmake_prefix': torch.utils.cmake_prefix_path}))";

    /** How long {@code import torch} may take (a cold CUDA build reads a few GB). */
    private static final long PYTHON_TIMEOUT_SECONDS = 300;

    private static final String LIBTORCH = System.mapLibraryName("torch");
    private static final Pattern VERSION_PY = Pattern.compile("(?m)^__version__\\s*=\\s*'([^']+)'");
    private static final Pattern CUDA_PY =
            Pattern.compile("(?m)^cuda(?:\\s*:[^=\\n]*)?=\\s*(?:'([^']*)'|None)");
    private static final Pattern CUDA_SUFFIX = Pattern.compile("\\+cu(\\d+)(\\d)$");
    private static final Pattern ABI_FLAG = Pattern.compile("_GLIBCXX_USE_CXX11_ABI=([01])");

    private TorchDiscovery() {}

    /**
     * The PyTorch {@code value} names: a folder holding {@code libtorch.so}, else a Python command
     * ({@code python3}, {@code /opt/venv/bin/python}) that can import torch.
     *
     * @throws IllegalArgumentException when it is neither, or what it holds cannot be read
     */
    public static LocalTorch find(String value) {
        Path path = Path.of(value);
        if (Files.isDirectory(path)) {
            return fromDirectory(path);
        }
        if (value.contains("/") && !Files.exists(path)) {
            throw new IllegalArgumentException(
                    "--torch "
                            + value
                            + ": not found; expected python3, a Python or a torch/lib"
                            + " folder");
        }
        return fromPython(value);
    }

    /** Asks {@code python} to import torch and say what it is. */
    static LocalTorch fromPython(String python) {
        String output = runPython(python);
        JsonObject json = null;
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        for (String line : lines) {
            if (line.startsWith("{")) {
                try {
                    json = JsonParser.parseString(line).getAsJsonObject(); // the last one wins
                } catch (RuntimeException e) {
                    // not the probe's line (a warning that starts with a brace)
                }
            }
        }
        if (json == null) {
            throw new IllegalArgumentException(
                    "--torch "
                            + python
                            + ": said nothing about torch ("
                            + (lines.isEmpty() ? "no output" : lines.get(lines.size() - 1))
                            + ")");
        }
        Path libDir = Path.of(string(json, "lib_dir", python));
        checkLibrary(libDir, python);
        JsonElement cuda = json.get("cuda");
        JsonElement abi = json.get("cxx11_abi");
        return new LocalTorch(
                string(json, "version", python),
                cuda == null || cuda.isJsonNull() ? null : cuda.getAsString(),
                abi != null && !abi.isJsonNull() && abi.getAsBoolean(),
                libDir,
                Path.of(string(json, "cmake_prefix", python)),
                python);
    }

    /**
     * Reads what a folder holding {@code libtorch.so} is: the version from {@code ../version.py}
     * (pip) or {@code ../build-version} (libtorch zip), the CUDA version from {@code version.py} or
     * the version's {@code +cuXYZ}, the ABI from {@code ../share/cmake/Torch/TorchConfig.cmake}.
     */
    static LocalTorch fromDirectory(Path dir) {
        String given = dir.toString();
        checkLibrary(dir, given);
        Path root = dir.toAbsolutePath().normalize().getParent();
        String versionPy = readIfExists(root.resolve("version.py"));
        String buildVersion = readIfExists(root.resolve("build-version"));
        String version;
        String cuda = null;
        if (versionPy != null && VERSION_PY.matcher(versionPy).find()) {
            Matcher v = VERSION_PY.matcher(versionPy);
            v.find();
            version = v.group(1);
            Matcher c = CUDA_PY.matcher(versionPy);
            if (c.find()) {
                cuda = c.group(1);
            }
        } else if (buildVersion != null && !buildVersion.isBlank()) {
            version = buildVersion.strip();
        } else {
            throw new IllegalArgumentException(
                    "--torch "
                            + given
                            + ": cannot tell its PyTorch version (neither "
                            + root.resolve("version.py")
                            + " nor "
                            + root.resolve("build-version")
                            + "); --torch python3 asks Python instead");
        }
        Matcher suffix = CUDA_SUFFIX.matcher(version);
        if (cuda == null && suffix.find()) {
            cuda = suffix.group(1) + "." + suffix.group(2);
        }
        if (cuda == null && Files.exists(dir.resolve(System.mapLibraryName("torch_cuda")))) {
            throw new IllegalArgumentException(
                    "--torch "
                            + given
                            + ": a CUDA build of PyTorch "
                            + version
                            + ", but neither version.py nor the version says which CUDA; --torch"
                            + " python3 asks Python instead");
        }
        Path cmake = root.resolve("share/cmake");
        String config = readIfExists(cmake.resolve("Torch/TorchConfig.cmake"));
        Matcher abi = ABI_FLAG.matcher(config == null ? "" : config);
        if (!abi.find()) {
            throw new IllegalArgumentException(
                    "--torch "
                            + given
                            + ": cannot tell its C++ ABI (no _GLIBCXX_USE_CXX11_ABI in "
                            + cmake.resolve("Torch/TorchConfig.cmake")
                            + "); --torch python3 asks Python instead");
        }
        return new LocalTorch(
                version, cuda, abi.group(1).equals("1"), dir.toAbsolutePath(), cmake, given);
    }

    private static void checkLibrary(Path dir, String given) {
        if (!Files.isRegularFile(dir.resolve(LIBTORCH))) {
            throw new IllegalArgumentException(
                    "--torch "
                            + given
                            + ": no "
                            + LIBTORCH
                            + " in "
                            + dir
                            + "; expected a torch/lib folder");
        }
    }

    private static String runPython(String python) {
        Process process;
        try {
            process =
                    new ProcessBuilder(python, "-c", PYTHON_PROBE)
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--torch "
                            + python
                            + ": cannot run it ("
                            + e.getMessage()
                            + "); expected python3, a Python or a torch/lib folder");
        }
        CompletableFuture<String> output =
                CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try {
            if (!process.waitFor(PYTHON_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalArgumentException(
                        "--torch "
                                + python
                                + ": import torch did not finish within "
                                + PYTHON_TIMEOUT_SECONDS
                                + " s");
            }
            String text = output.get();
            if (process.exitValue() != 0) {
                List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
                throw new IllegalArgumentException(
                        "--torch "
                                + python
                                + ": cannot import torch ("
                                + (lines.isEmpty()
                                        ? "exit " + process.exitValue()
                                        : lines.get(lines.size() - 1).strip())
                                + ")");
            }
            return text;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + python, e);
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException(e.getCause()));
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readIfExists(Path file) {
        try {
            return Files.isRegularFile(file)
                    ? Files.readString(file, StandardCharsets.UTF_8)
                    : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String string(JsonObject json, String key, String python) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException(
                    "--torch " + python + ": its torch did not say its " + key);
        }
        return e.getAsString();
    }
}
