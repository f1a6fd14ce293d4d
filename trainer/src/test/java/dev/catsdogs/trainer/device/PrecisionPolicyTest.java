package dev.catsdogs.trainer.device;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.catsdogs.trainer.model.Precision;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A reduced precision is refused, with the reason, where the device has no fast arithmetic. */
class PrecisionPolicyTest {

    private static DeviceFacts machine(Set<String> cpuFlags, List<DeviceFacts.Gpu> gpus) {
        return new DeviceFacts(
                "2.7.1",
                "/t",
                !gpus.isEmpty(),
                gpus.isEmpty() ? null : "12.8",
                gpus.isEmpty() ? null : "550.54.15",
                gpus,
                gpus.size(),
                null,
                new CpuFeatures("Some Xeon", cpuFlags));
    }

    @Test
    void fp32RunsAnywhere() {
        assertDoesNotThrow(
                () ->
                        PrecisionPolicy.check(
                                Precision.FP32, Device.cpu(), machine(Set.of(), List.of())));
    }

    @Test
    void bf16OnTheCpuNeedsNativeBf16() {
        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        PrecisionPolicy.check(
                                                Precision.BF16,
                                                Device.cpu(),
                                                machine(Set.of("avx2", "avx512f"), List.of())))
                        .getMessage();
        assertTrue(m.contains("AVX512-BF16 or AMX-BF16") && m.contains("Some Xeon"), m);
        assertTrue(m.endsWith("use fp32"), m);
        for (String flag : List.of("avx512_bf16", "amx_bf16")) {
            assertDoesNotThrow(
                    () ->
                            PrecisionPolicy.check(
                                    Precision.BF16,
                                    Device.cpu(),
                                    machine(Set.of(flag), List.of())));
        }
    }

    @Test
    void fp16IsRefusedOnTheCpu() {
        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        PrecisionPolicy.check(
                                                Precision.FP16,
                                                Device.cpu(),
                                                machine(Set.of("amx_bf16"), List.of())))
                        .getMessage();
        assertTrue(m.contains("fp16 is for GPUs"), m);
    }

    @Test
    void bf16OnAGpuNeedsAmpere() {
        DeviceFacts t4 = machine(Set.of(), List.of(new DeviceFacts.Gpu("Tesla T4", "7.5")));
        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () -> PrecisionPolicy.check(Precision.BF16, Device.gpu(0), t4))
                        .getMessage();
        assertTrue(m.contains("compute capability 8.0") && m.contains("Tesla T4) is 7.5"), m);
        assertDoesNotThrow(() -> PrecisionPolicy.check(Precision.FP16, Device.gpu(0), t4));
        DeviceFacts a100 = machine(Set.of(), List.of(new DeviceFacts.Gpu("A100", "8.0")));
        assertDoesNotThrow(() -> PrecisionPolicy.check(Precision.BF16, Device.gpu(0), a100));
        DeviceFacts unknown = machine(Set.of(), List.of(new DeviceFacts.Gpu("GPU", null)));
        assertDoesNotThrow(() -> PrecisionPolicy.check(Precision.BF16, Device.gpu(0), unknown));
    }
}
