package dev.catsdogs.trainer.libtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which local PyTorch DJL can load without a download, what it is told, and the one message with
 * both ways out when it cannot; and what this class path's DJL ships. Nothing here points this
 * JVM's DJL anywhere: the checks and the properties are computed, not applied.
 */
class TorchSetupTest {

    @TempDir Path dir;

    private DjlJni jni() {
        return new DjlJni(
                "0.36.0", "2.7.1", Set.of("cpu", "cu128"), "linux-x86_64", dir.resolve("cache"));
    }

    @Test
    void thisClassPathShipsTheJniFor271() {
        DjlJni current = DjlJni.current();
        assertEquals("0.36.0", current.djlVersion());
        assertEquals("2.7.1", current.pytorchVersion());
        assertTrue(
                current.flavors().containsAll(Set.of("cpu", "cu128")),
                current.flavors().toString());
        assertEquals("linux-x86_64", current.classifier());
        assertEquals("PyTorch 2.7.1 (cpu, cu128)", current.describeBundled());
    }

    @Test
    void theMatchingPyTorchUsesDjlsOwnJni() throws Exception {
        LocalTorch torch = torch("2.7.1+cu128", "12.8", true);
        assertEquals("DJL 0.36.0's own JNI", TorchSetup.check(torch, jni(), Map.of()));
        Map<String, String> p =
                TorchSetup.properties(torch, dir.resolve("site/nvidia/cuda_runtime/lib"));
        assertEquals(torch.libDir().toString(), p.get("PYTORCH_LIBRARY_PATH"));
        assertEquals("2.7.1", p.get("PYTORCH_VERSION"));
        assertEquals("cu128", p.get("PYTORCH_FLAVOR"));
        assertEquals("true", p.get("ai.djl.offline"));
        assertTrue(
                p.get("jna.library.path")
                        .startsWith(dir.resolve("site/nvidia/cuda_runtime/lib").toString()));
        assertEquals(
                dir.resolve("site/nvidia/cuda_runtime/lib"), TorchSetup.cudartDir(torch.libDir()));
    }

    @Test
    void anotherPyTorchGetsOneMessageWithBothWaysOut() throws Exception {
        LocalTorch torch = torch("2.11.0+cu130", "13.0", true);
        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () -> TorchSetup.check(torch, jni(), Map.of()))
                        .getMessage();
        System.out.println(m);
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains("found PyTorch 2.11.0 (CUDA 13.0, C++11 ABI)"), m);
        assertTrue(m.contains("DJL 0.36.0 ships its JNI for PyTorch 2.7.1 (cpu, cu128) only"), m);
        assertTrue(
                m.contains(
                        "pip install torch==2.7.1 --index-url"
                                + " https://download.pytorch.org/whl/cu128"),
                m);
        assertTrue(m.contains("./catsdogs gpu-jni --torch python3 --djl-source DIR"), m);
        assertTrue(m.contains("tag v0.36.0"), m);
        // The same release in the old ABI or for another CUDA has no JNI either.
        assertThrows(
                IllegalArgumentException.class,
                () -> TorchSetup.check(torch("2.7.1+cpu", null, false), jni(), Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> TorchSetup.check(torch("2.7.1+cu126", "12.6", true), jni(), Map.of()));
    }

    @Test
    void aJniBuiltByGpuJniIsFound() throws Exception {
        LocalTorch torch = torch("2.11.0+cu130", "13.0", true);
        Path built = jni().pathFor(torch);
        assertEquals(dir.resolve("cache/2.11.0-cu130-linux-x86_64/0.36.0-libdjl_torch.so"), built);
        Files.createDirectories(built.getParent());
        Files.writeString(built, "jni");
        assertEquals("the JNI gpu-jni built, " + built, TorchSetup.check(torch, jni(), Map.of()));
    }

    @Test
    void anEnvironmentVariableThatWouldWinIsRefused() throws Exception {
        LocalTorch torch = torch("2.7.1+cu128", "12.8", true);
        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        TorchSetup.check(
                                                torch,
                                                jni(),
                                                Map.of("PYTORCH_LIBRARY_PATH", "/elsewhere/lib")))
                        .getMessage();
        assertTrue(m.contains("PYTORCH_LIBRARY_PATH=/elsewhere/lib overrides --torch python3"), m);
        // The same value is harmless.
        TorchSetup.check(torch, jni(), Map.of("PYTORCH_VERSION", "2.7.1"));
    }

    @Test
    void noCudaRuntimeForACpuBuild() throws Exception {
        assertNull(TorchSetup.cudartDir(torch("2.7.1+cpu", null, true).libDir()));
        assertFalse(
                TorchSetup.properties(torch("2.7.1+cpu", null, true), null)
                        .containsKey("jna.library.path"));
    }

    private LocalTorch torch(String version, String cuda, boolean abi) throws Exception {
        Path site = dir.resolve("site");
        Path lib = site.resolve("torch/lib");
        if (!Files.exists(lib)) {
            FakeTorch.pip(site, version, cuda, abi);
        }
        return new LocalTorch(
                version, cuda, abi, lib, lib.getParent().resolve("share/cmake"), "python3");
    }
}
