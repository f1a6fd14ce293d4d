package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.libtorch.DjlJni;
import dev.catsdogs.trainer.libtorch.FakeTorch;
import dev.catsdogs.trainer.libtorch.LocalTorch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpu-jni}'s checks, each one line and exit 2 before anything runs, and its steps with
 * stand-in tools: a real {@code javac -h} of a stand-in PyTorchLibrary, a CMake that records how it
 * was called and "builds" a file, a Python that says it has PyTorch 2.11 for CUDA 13.0. The real
 * build needs a PyTorch with its headers and CMake files, which this machine has not; it was done
 * by hand against PyTorch 2.11/cu130 on an H200 (DJL's pytorch-native project and the javac -h
 * header).
 */
class GpuJniCommandTest {

    @TempDir Path dir;

    record Result(int exit, String out, String err) {}

    @Test
    void djlSourceIsRequired() throws Exception {
        Result r = run(env(true), List.of());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("Missing required option: '--djl-source=DIR'"), r.err());
    }

    @Test
    void aFolderThatIsNotADjlCheckoutIsRefused() throws Exception {
        Result r = run(env(true), List.of("--djl-source", dir.resolve("nope").toString()));
        assertOneLine(r, "--djl-source " + dir.resolve("nope") + ": not found");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        r = run(env(true), List.of("--djl-source", empty.toString()));
        assertOneLine(r, "no engines/pytorch/pytorch-native/CMakeLists.txt");
    }

    @Test
    void aCheckoutOfAnotherDjlIsRefused() throws Exception {
        Result r = run(env(true), List.of("--djl-source", djlSource("0.35.0").toString()));
        assertOneLine(r, "is DJL 0.35.0, but this build uses DJL 0.36.0: check out tag v0.36.0");
    }

    @Test
    void noCmakeIsOneLine() throws Exception {
        Result r = run(env(false), args());
        assertOneLine(r, "cmake not found on PATH");
    }

    @Test
    void theBundledPyTorchNeedsNoBuild() throws Exception {
        Path lib = FakeTorch.pip(dir.resolve("site271"), "2.7.1+cu128", "12.8", true);
        Path python = FakeTorch.python(dir, lib, "2.7.1+cu128", "12.8", true);
        Result r =
                run(
                        env(true),
                        List.of(
                                "--djl-source",
                                djlSource("0.36.0").toString(),
                                "--torch",
                                python.toString()));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("nothing to build: DJL 0.36.0's own JNI fits it"), r.out());
    }

    @Test
    void buildsWithTheCheckoutAndInstallsWhereDjlLooks() throws Exception {
        Result r = run(env(true), args());
        assertEquals(0, r.exit(), r.out() + r.err());
        Path installed = jni().pathFor(built());
        assertEquals(
                dir.resolve("cache/2.11.0-cu130-linux-x86_64/0.36.0-libdjl_torch.so"), installed);
        assertEquals("built by the stand-in cmake\n", Files.readString(installed));
        String calls = Files.readString(dir.resolve("bin/cmake.calls"));
        String configure = calls.lines().findFirst().orElseThrow();
        assertTrue(
                configure.contains("-S " + dir.resolve("djl/engines/pytorch/pytorch-native")),
                configure);
        assertTrue(
                configure.contains("-DCMAKE_PREFIX_PATH=" + dir.resolve("site/torch/share/cmake")),
                configure);
        assertTrue(configure.contains("-DUSE_CUDA=1"), "CUDA on for a CUDA PyTorch: " + configure);
        assertTrue(
                calls.contains("header ai_djl_pytorch_jni_PyTorchLibrary.h"),
                "javac -h wrote the header into the include folder CMake is given: " + calls);
        assertTrue(calls.contains("--build"), calls);
        assertTrue(r.out().contains("installed: " + installed), r.out());
        assertTrue(r.out().contains("next: ./catsdogs --gpu train --torch"), r.out());
        assertTrue(
                Files.readString(installed.resolveSibling("gpu-jni.log"))
                        .contains("PyTorch 2.11.0"));

        // Built once: a second run refuses to replace it unless told to.
        Result again = run(env(true), args());
        assertOneLine(again, "a JNI for it is already built: " + installed + " (--overwrite");
        List<String> overwrite = new ArrayList<>(args());
        overwrite.add("--overwrite");
        assertEquals(0, run(env(true), overwrite).exit());
    }

    @Test
    void aCudaPyTorchWithoutTheToolkitIsOneLine() throws Exception {
        Files.delete(tools(true).resolve("nvcc"));
        Map<String, String> env =
                Map.of(
                        "PATH",
                        dir.resolve("bin").toString(),
                        "CUDA_HOME",
                        dir.resolve("no-cuda").toString());
        Result r = run(env, args());
        assertOneLine(
                r,
                "need the CUDA 13.0 toolkit, and nvcc is neither on PATH nor in "
                        + dir.resolve("no-cuda/bin"));
    }

    @Test
    void aFailedStepNamesItAndTheLog() throws Exception {
        Path bin = tools(true);
        script(bin.resolve("cmake"), "echo 'CMake Error: Could not find Torch' ; exit 1\n");
        Result r = run(Map.of("PATH", bin.toString()), args());
        assertEquals(1, r.exit(), r.err());
        assertTrue(
                r.err().contains("the JNI's configure failed (exit 1); its output is in"), r.err());
        Path log = dir.resolve("cache/2.11.0-cu130-linux-x86_64/gpu-jni.log");
        assertTrue(Files.readString(log).contains("CMake Error: Could not find Torch"));
        assertFalse(Files.exists(log.resolveSibling("0.36.0-libdjl_torch.so")));
    }

    /** {@code --djl-source} a DJL 0.36.0 checkout, {@code --torch} a Python with PyTorch 2.11. */
    private List<String> args() throws Exception {
        Path lib = dir.resolve("site/torch/lib");
        if (!Files.exists(lib)) {
            FakeTorch.pip(dir.resolve("site"), "2.11.0+cu130", "13.0", true);
        }
        Path python = FakeTorch.python(dir, lib, "2.11.0+cu130", "13.0", true);
        return List.of(
                "--djl-source", djlSource("0.36.0").toString(), "--torch", python.toString());
    }

    private LocalTorch built() {
        Path lib = dir.resolve("site/torch/lib");
        return new LocalTorch(
                "2.11.0+cu130",
                "13.0",
                true,
                lib,
                lib.getParent().resolve("share/cmake"),
                "python");
    }

    private DjlJni jni() {
        return new DjlJni(
                "0.36.0", "2.7.1", Set.of("cpu", "cu128"), "linux-x86_64", dir.resolve("cache"));
    }

    private Result run(Map<String, String> env, List<String> args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            exit =
                    CatsDogs.configure(new picocli.CommandLine(new GpuJniCommand(env, this::jni)))
                            .setErr(new PrintWriter(err, true))
                            .execute(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    /** PATH with stand-in tools (and cmake or not), then the system's for sh's own commands. */
    private Map<String, String> env(boolean cmake) throws Exception {
        return Map.of("PATH", tools(cmake) + (cmake ? ":/usr/bin:/bin" : ""));
    }

    private Path tools(boolean cmake) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script(bin.resolve("c++"), "exit 0\n");
        script(bin.resolve("nvcc"), "exit 0\n");
        if (cmake) {
            // Records each call; lists the header folder it is given; "builds" the library.
            script(
                    bin.resolve("cmake"),
                    "echo \"$@\" >> \"$(dirname \"$0\")/cmake.calls\"\n"
                            + "for a in \"$@\"; do case \"$a\" in -DCMAKE_CXX_FLAGS=-I*) for h in"
                            + " \"${a#-DCMAKE_CXX_FLAGS=-I}\"/*; do echo \"header ${h##*/}\" >>"
                            + " \"$(dirname \"$0\")/cmake.calls\"; done;; esac; done\n"
                            + "if [ \"$1\" = --build ]; then mkdir -p \"$2\"; echo 'built by the"
                            + " stand-in cmake' > \"$2/libdjl_torch.so\"; fi\n");
        } else {
            Files.deleteIfExists(bin.resolve("cmake"));
        }
        return bin;
    }

    /** A DJL checkout's few files the build reads: version, CMake project, PyTorchLibrary. */
    private Path djlSource(String version) throws Exception {
        Path djl = dir.resolve("djl");
        Files.createDirectories(djl.resolve("gradle"));
        Files.writeString(
                djl.resolve("gradle/libs.versions.toml"),
                "[versions]\ndjl = \"" + version + "\"\npytorch = \"2.7.1\"\n");
        Path project = Files.createDirectories(djl.resolve("engines/pytorch/pytorch-native"));
        Files.writeString(project.resolve("CMakeLists.txt"), "project(djl_torch)\n");
        Path jni =
                Files.createDirectories(
                        djl.resolve(
                                "engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni"));
        Files.writeString(
                jni.resolve("PyTorchLibrary.java"),
                "package ai.djl.pytorch.jni;\n\nfinal class PyTorchLibrary {\n"
                        + "    native boolean torchIsGradMode();\n}\n");
        Files.createDirectories(djl.resolve("api/src/main/java"));
        return djl;
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void assertOneLine(Result r, String fragment) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(fragment), "'" + fragment + "' not in: " + r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }
}
