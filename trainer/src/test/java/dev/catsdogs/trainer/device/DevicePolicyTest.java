package dev.catsdogs.trainer.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every branch of the device decision, on made-up machines: a GPU asked for and unusable ends with
 * the cause (CPU-only libtorch, no driver, a driver too old for the libtorch's CUDA, GPU N absent,
 * GPUs hidden), and auto never falls back to the CPU without saying why.
 */
class DevicePolicyTest {

    private static final CpuFeatures CPU = new CpuFeatures("Test CPU", Set.of());
    private static final List<DeviceFacts.Gpu> H100 =
            List.of(new DeviceFacts.Gpu("NVIDIA H100 80GB HBM3", "9.0"));

    /** The bundled CPU libtorch on a machine without NVIDIA hardware: this machine. */
    private static DeviceFacts cpuOnly() {
        return new DeviceFacts(
                "2.7.1", "/cache/2.7.1-cpu", false, null, null, List.of(), 0, null, CPU);
    }

    /** The bundled CPU libtorch on a GPU machine (./catsdogs without --gpu). */
    private static DeviceFacts cpuLibtorchOnGpuMachine() {
        return new DeviceFacts(
                "2.7.1", "/cache/2.7.1-cpu", false, null, "550.54.15", H100, 0, null, CPU);
    }

    private static DeviceFacts cuda(String cuda, String driver, List<DeviceFacts.Gpu> gpus, int n) {
        return new DeviceFacts(
                "2.7.1", "/cache/2.7.1-cu128", true, cuda, driver, gpus, n, null, CPU);
    }

    @Test
    void cpuIsAlwaysTheCpu() {
        DevicePolicy.Choice c = DevicePolicy.decide("cpu", cuda("12.8", "550.54.15", H100, 1));
        assertEquals(Device.cpu(), c.device());
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void autoTakesAUsableGpu() {
        DevicePolicy.Choice c = DevicePolicy.decide("auto", cuda("12.8", "550.54.15", H100, 1));
        assertEquals(Device.gpu(0), c.device());
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void autoOnACpuMachineIsTheCpuWithoutAWord() {
        DevicePolicy.Choice c = DevicePolicy.decide("auto", cpuOnly());
        assertEquals(Device.cpu(), c.device());
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }

    @Test
    void autoWithCpuLibtorchOnAGpuMachineWarnsOnce() {
        DevicePolicy.Choice c = DevicePolicy.decide("auto", cpuLibtorchOnGpuMachine());
        assertEquals(Device.cpu(), c.device());
        assertEquals(1, c.warnings().size());
        String w = c.warnings().get(0);
        assertTrue(w.contains("NVIDIA H100 80GB HBM3, driver 550.54.15"), w);
        assertTrue(w.contains("CPU-only") && w.contains("--gpu"), w);
    }

    @Test
    void autoWithAnUnusableCudaLibtorchWarnsWithTheCause() {
        DevicePolicy.Choice c = DevicePolicy.decide("auto", cuda("12.8", "470.82.01", H100, 0));
        assertEquals(Device.cpu(), c.device());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("470.82.01 is too old"), c.warnings().get(0));
    }

    @Test
    void gpuWithCpuLibtorchSaysUseGpuFlavour() {
        String m = refused("gpu", cpuOnly());
        assertTrue(m.startsWith("--device gpu: the loaded libtorch is CPU-only"), m);
        assertTrue(m.contains("PyTorch 2.7.1 from /cache/2.7.1-cpu"), m);
        assertTrue(m.contains("./catsdogs --gpu"), m);
    }

    @Test
    void gpuWithoutDriverSaysSoAndWhichDriver() {
        String m = refused("gpu", cuda("12.8", null, List.of(), 0));
        assertTrue(m.contains("no NVIDIA driver"), m);
        assertTrue(m.contains("CUDA 12.8 (driver 525.60.13 or newer)"), m);
    }

    @Test
    void gpuWithADriverTooOldNamesBothVersions() {
        String m = refused("gpu:0", cuda("12.8", "470.82.01", H100, 0));
        assertTrue(m.contains("driver 470.82.01 is too old"), m);
        assertTrue(m.contains("CUDA 12.8") && m.contains("525.60.13"), m);
        // Same major version, older minor: CUDA's minor version compatibility runs it.
        DevicePolicy.Choice c = DevicePolicy.decide("gpu", cuda("12.8", "535.54.03", H100, 1));
        assertEquals(Device.gpu(0), c.device());
        // CUDA 13 needs the 580 drivers.
        assertTrue(refused("gpu", cuda("13.0", "570.86.15", H100, 0)).contains("580.65.06"));
    }

    @Test
    void anAbsentGpuIsNamedWithTheOnesThere() {
        String m = refused("gpu:3", cuda("12.8", "550.54.15", H100, 1));
        assertTrue(m.startsWith("--device gpu:3: there is no GPU 3; PyTorch sees 1"), m);
        assertTrue(m.contains("0: NVIDIA H100 80GB HBM3"), m);
        assertEquals(
                Device.gpu(0),
                DevicePolicy.decide("gpu:0", cuda("12.8", "550.54.15", H100, 1)).device());
    }

    @Test
    void hiddenGpusAreExplained() {
        DeviceFacts hidden =
                new DeviceFacts("2.7.1", "/t", true, "12.8", "550.54.15", H100, 0, "", CPU);
        String m = refused("gpu", hidden);
        assertTrue(m.contains("PyTorch sees no GPU") && m.contains("CUDA_VISIBLE_DEVICES=''"), m);
        String noCudart = refused("gpu", cuda("12.8", "550.54.15", H100, 0));
        assertTrue(noCudart.contains("libcudart.so.12 on LD_LIBRARY_PATH"), noCudart);
    }

    @Test
    void aCudaLibtorchOfUnknownCudaIsNotJudgedByItsDriver() {
        DeviceFacts unknown =
                new DeviceFacts("2.7.1", "/t", true, null, "390.1", H100, 1, null, CPU);
        assertEquals(Device.gpu(0), DevicePolicy.decide("gpu", unknown).device());
    }

    @Test
    void badSpecIsRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DevicePolicy.decide("tpu", cpuOnly()));
        assertFalse(e instanceof DeviceUnavailableException);
        assertTrue(e.getMessage().contains("expected one of auto, cpu, gpu, gpu:N"));
    }

    private static String refused(String spec, DeviceFacts facts) {
        String m =
                assertThrows(
                                DeviceUnavailableException.class,
                                () -> DevicePolicy.decide(spec, facts))
                        .getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        return m;
    }
}
