package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.libtorch.FakeTorch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On this machine (no GPU, the bundled CPU libtorch) the real {@code train} refuses what cannot run
 * here in one line and exit 2, before it reads any data or creates its run directory: {@code
 * --device gpu}, {@code --precision fp16}, a {@code --torch} PyTorch DJL has no JNI for.
 */
class DeviceChoiceCliTest {

    @TempDir Path dir;

    record Result(int exit, String out, String err) {}

    @Test
    void gpuOnThisCpuMachineIsOneLineAndExit2() throws Exception {
        Result r = train("--device", "gpu");
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(
                r.err()
                        .startsWith(
                                "train: --device gpu: the loaded libtorch is CPU-only (PyTorch"
                                        + " 2.7.1 from "),
                r.err());
        assertTrue(r.err().contains("./catsdogs --gpu"), r.err());
        assertFalse(Files.exists(dir.resolve("run")), "nothing ran");
        assertEquals(2, train("--device", "gpu:1").exit());
    }

    @Test
    void fp16OnTheCpuIsOneLine() throws Exception {
        Result r = train("--device", "cpu", "--precision", "fp16");
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--precision fp16 is for GPUs"), r.err());
    }

    @Test
    void anUnknownPrecisionIsAUsageError() throws Exception {
        Result r = train("--precision", "fp8");
        assertEquals(2, r.exit(), r.err());
        assertTrue(
                r.err().contains("Received --precision fp8; expected one of fp32, bf16, fp16"),
                r.err());
    }

    @Test
    void aPyTorchWithoutJniIsOneLineWithBothWaysOut() throws Exception {
        Path lib = FakeTorch.pip(dir.resolve("site"), "2.11.0+cu130", "13.0", true);
        Path python = FakeTorch.python(dir, lib, "2.11.0+cu130", "13.0", true);
        Result r = train("--torch", python.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("found PyTorch 2.11.0 (CUDA 13.0, C++11 ABI)"), r.err());
        assertTrue(r.err().contains("pip install torch==2.7.1"), r.err());
        assertTrue(r.err().contains("./catsdogs gpu-jni --torch " + python), r.err());
        Result missing = train("--torch", dir.resolve("no/python").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("not found"), missing.err());
    }

    private Result train(String... options) throws Exception {
        Path data = dir.resolve("data");
        for (String f :
                List.of(
                        "train/cats/a.jpg",
                        "train/dogs/b.jpg",
                        "validation/cats/c.jpg",
                        "validation/dogs/d.jpg")) {
            Files.createDirectories(data.resolve(f).getParent());
            if (!Files.exists(data.resolve(f))) {
                Files.createFile(data.resolve(f));
            }
        }
        List<String> args =
                Stream.concat(
                                Stream.of(
                                        "train",
                                        "--data",
                                        data.toString(),
                                        "--out",
                                        dir.resolve("run").toString()),
                                Stream.of(options))
                        .toList();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                CatsDogs.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }
}
