package dev.catsdogs.trainer.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probes' parsing, on texts as the machine gives them: {@code /proc/cpuinfo}, {@code
 * /proc/driver/nvidia/version}, nvidia-smi's CSV, DJL's flavors; and the real probe of this
 * machine, which has no GPU.
 */
class MachineFactsTest {

    @Test
    void cpuinfoFlagsOfTheFirstProcessor() {
        String cpuinfo =
                "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)"
                        + " Platinum 8480+\nflags\t\t: fpu sse avx512f avx512_bf16 amx_tile"
                        + " amx_bf16\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n";
        CpuFeatures cpu = CpuFeatures.parse(cpuinfo);
        assertEquals("Intel(R) Xeon(R) Platinum 8480+", cpu.model());
        assertTrue(cpu.nativeBf16());
        assertFalse(
                CpuFeatures.parse("model name : AMD EPYC\nflags : avx2 avx512f\n").nativeBf16());
        assertEquals("unknown", CpuFeatures.parse("").model());
    }

    @Test
    void driverVersionFromTheKernelModule() {
        assertEquals(
                "550.54.15",
                CudaDriver.parseKernelModuleVersion(
                        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5"
                                + " 22:23:56 UTC 2024\nGCC version:  gcc version 12.2.0\n"));
        assertEquals(
                "570.86.15",
                CudaDriver.parseKernelModuleVersion(
                        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15 "
                                + " Release Build  (dvs-builder@U16-I3-B03-4-3)\n"));
        assertNull(CudaDriver.parseKernelModuleVersion("garbage"));
    }

    @Test
    void driverMinimumsPerCudaMajorVersion() {
        assertEquals("525.60.13", CudaDriver.minimumFor("12.8"));
        assertEquals("580.65.06", CudaDriver.minimumFor("13.0"));
        assertNull(CudaDriver.minimumFor("99.0"));
        assertTrue(CudaDriver.tooOld("525.60.12", "12.1"));
        assertFalse(CudaDriver.tooOld("525.60.13", "12.8"));
        assertFalse(CudaDriver.tooOld("1000.1", "12.8"));
        assertFalse(CudaDriver.tooOld("300.1", "99.0"), "an unknown CUDA is not judged");
        assertEquals("12.8", CudaDriver.cudaOfFlavor("cu128"));
        assertEquals("13.0", CudaDriver.cudaOfFlavor("cu130-precxx11"));
        assertEquals("11.8", CudaDriver.cudaOfFlavor("cu118"));
        assertNull(CudaDriver.cudaOfFlavor("cpu"));
        assertNull(CudaDriver.cudaOfFlavor(null));
    }

    @Test
    void nvidiaSmiLinesAndVisibleDevices() {
        List<DeviceFacts.Gpu> gpus =
                DeviceProbe.NvidiaSmi.parse(
                        List.of("NVIDIA H100 80GB HBM3, 9.0", "Tesla T4, 7.5", "", "Old GPU"));
        assertEquals(
                List.of(
                        new DeviceFacts.Gpu("NVIDIA H100 80GB HBM3", "9.0"),
                        new DeviceFacts.Gpu("Tesla T4", "7.5"),
                        new DeviceFacts.Gpu("Old GPU", null)),
                gpus);
        assertEquals(List.of(gpus.get(1)), DeviceProbe.visibleInOrder(gpus, "1"));
        assertEquals(List.of(gpus.get(2), gpus.get(0)), DeviceProbe.visibleInOrder(gpus, "2, 0"));
        assertEquals(List.of(), DeviceProbe.visibleInOrder(gpus, ""));
        assertEquals(gpus, DeviceProbe.visibleInOrder(gpus, "GPU-1234abcd"), "UUIDs: as listed");
        assertEquals(gpus, DeviceProbe.visibleInOrder(gpus, null));
    }

    @Test
    void thisMachineHasTheBundledCpuLibtorch() {
        DeviceFacts facts = DeviceProbe.probe();
        assertEquals("2.7.1", facts.pytorchVersion());
        assertFalse(facts.libtorchHasCuda(), facts.libtorchDir() + " holds a CUDA libtorch");
        assertEquals(0, facts.visibleGpus());
        System.out.println(
                "probed: PyTorch "
                        + facts.pytorchVersion()
                        + " from "
                        + facts.libtorchDir()
                        + ", driver "
                        + facts.driverVersion()
                        + ", CPU "
                        + facts.cpu().model());
    }
}
