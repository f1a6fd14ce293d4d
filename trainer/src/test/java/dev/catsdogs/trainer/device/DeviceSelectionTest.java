package dev.catsdogs.trainer.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a run prints and records about where it trained: the GPU, driver and CUDA versions. */
class DeviceSelectionTest {

    private static final CpuFeatures CPU =
            new CpuFeatures("Intel(R) Xeon(R) Platinum 8480+", Set.of());

    @Test
    void aGpuRunRecordsGpuDriverAndCuda() {
        DeviceFacts facts =
                new DeviceFacts(
                        "2.7.1",
                        "/home/u/.djl.ai/pytorch/2.7.1-cu128-linux-x86_64",
                        true,
                        "12.8",
                        "550.54.15",
                        List.of(new DeviceFacts.Gpu("NVIDIA H100 80GB HBM3", "9.0")),
                        1,
                        null,
                        CPU);
        DeviceSelection s = new DeviceSelection(Device.gpu(0), List.of(), facts);
        assertEquals(
                "gpu(0), NVIDIA H100 80GB HBM3, compute capability 9.0, driver 550.54.15, CUDA 12.8"
                        + " (PyTorch 2.7.1)",
                s.describe());
        JsonObject section = new JsonObject();
        s.reportFields().forEach(section::addProperty);
        assertEquals("gpu(0)", section.get("device").getAsString());
        assertEquals("NVIDIA H100 80GB HBM3", section.get("gpu").getAsString());
        assertEquals("9.0", section.get("gpu_compute_capability").getAsString());
        assertEquals("550.54.15", section.get("nvidia_driver").getAsString());
        assertEquals("12.8", section.get("libtorch_cuda").getAsString());
        assertEquals("2.7.1", section.get("pytorch").getAsString());
        assertEquals(facts.libtorchDir(), section.get("libtorch").getAsString());
    }

    @Test
    void aCpuRunRecordsTheAbsentPartsAsNull() {
        DeviceFacts facts =
                new DeviceFacts("2.7.1", "/cache/cpu", false, null, null, List.of(), 0, null, CPU);
        DeviceSelection s = new DeviceSelection(Device.cpu(), List.of(), facts);
        assertTrue(s.describe().matches("cpu, \\d+ threads \\(PyTorch 2\\.7\\.1\\)"), s.describe());
        JsonObject section = new JsonObject();
        s.reportFields().forEach(section::addProperty);
        assertEquals("cpu()", section.get("device").getAsString());
        assertTrue(section.get("gpu").isJsonNull());
        assertTrue(section.get("nvidia_driver").isJsonNull());
        assertTrue(section.get("libtorch_cuda").isJsonNull());
        assertEquals("Intel(R) Xeon(R) Platinum 8480+", section.get("cpu").getAsString());
    }
}
