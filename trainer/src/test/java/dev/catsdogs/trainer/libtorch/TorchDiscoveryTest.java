package dev.catsdogs.trainer.libtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --torch} finds an installed PyTorch through a Python (a fake one that prints what torch
 * would) or in a torch/lib folder (fake pip and libtorch-zip layouts), and says in one line what is
 * wrong when it cannot.
 */
class TorchDiscoveryTest {

    @TempDir Path dir;

    @Test
    void aPythonSaysVersionCudaAbiAndFolders() throws Exception {
        Path lib = FakeTorch.pip(dir.resolve("site"), "2.11.0+cu130", "13.0", true);
        Path python = FakeTorch.python(dir, lib, "2.11.0+cu130", "13.0", true);
        LocalTorch torch = TorchDiscovery.find(python.toString());
        assertEquals("2.11.0+cu130", torch.version());
        assertEquals("2.11.0", torch.release());
        assertEquals("13.0", torch.cuda());
        assertTrue(torch.cxx11Abi());
        assertEquals(lib, torch.libDir());
        assertEquals(lib.getParent().resolve("share/cmake"), torch.cmakePrefix());
        assertEquals("cu130", torch.flavor());
        assertEquals(python.toString(), torch.foundBy());
        assertEquals("PyTorch 2.11.0 (CUDA 13.0, C++11 ABI) in " + lib, torch.describe());
    }

    @Test
    void aCpuPythonOfTheOldAbi() throws Exception {
        Path lib = FakeTorch.pip(dir.resolve("site"), "2.7.1+cpu", null, false);
        LocalTorch torch =
                TorchDiscovery.find(
                        FakeTorch.python(dir, lib, "2.7.1+cpu", null, false).toString());
        assertNull(torch.cuda());
        assertEquals("cpu-precxx11", torch.flavor());
    }

    @Test
    void aPipTorchLibFolder() throws Exception {
        Path lib = FakeTorch.pip(dir.resolve("site"), "2.7.1+cu128", "12.8", true);
        LocalTorch torch = TorchDiscovery.find(lib.toString());
        assertEquals("2.7.1", torch.release());
        assertEquals("12.8", torch.cuda());
        assertTrue(torch.cxx11Abi());
        assertEquals("cu128", torch.flavor());
        assertEquals(lib.getParent().resolve("share/cmake"), torch.cmakePrefix());
    }

    @Test
    void aLibtorchZipFolder() throws Exception {
        Path lib = FakeTorch.libtorchZip(dir, "2.7.1+cu126", false);
        LocalTorch torch = TorchDiscovery.find(lib.toString());
        assertEquals("2.7.1", torch.release());
        assertEquals("12.6", torch.cuda(), "from the version's +cu126");
        assertFalse(torch.cxx11Abi());
        assertEquals("cu126-precxx11", torch.flavor());
    }

    @Test
    void whatCannotBeUsedIsOneLineNamingIt() throws Exception {
        String missing = refused(dir.resolve("nope/python").toString());
        assertTrue(missing.contains("not found"), missing);
        String notPython = refused("no-such-python-anywhere");
        assertTrue(notPython.contains("cannot run it"), notPython);
        String bare = refused(FakeTorch.pythonWithoutTorch(dir).toString());
        assertTrue(bare.contains("cannot import torch (ModuleNotFoundError"), bare);
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(refused(empty.toString()).contains("no libtorch.so in"));
        Path noVersion = Files.createDirectories(dir.resolve("bare/lib"));
        Files.createFile(noVersion.resolve("libtorch.so"));
        assertTrue(refused(noVersion.toString()).contains("cannot tell its PyTorch version"));
        Path noAbi = FakeTorch.libtorchZip(dir.resolve("noabi"), "2.7.1+cpu", true);
        Files.delete(noAbi.getParent().resolve("share/cmake/Torch/TorchConfig.cmake"));
        assertTrue(refused(noAbi.toString()).contains("cannot tell its C++ ABI"));
        Path silent = FakeTorch.script(dir.resolve("silent"), "echo hello\n");
        assertTrue(refused(silent.toString()).contains("said nothing about torch (hello)"));
    }

    private static String refused(String value) {
        String m =
                assertThrows(IllegalArgumentException.class, () -> TorchDiscovery.find(value))
                        .getMessage();
        assertTrue(m.startsWith("--torch "), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        return m;
    }
}
