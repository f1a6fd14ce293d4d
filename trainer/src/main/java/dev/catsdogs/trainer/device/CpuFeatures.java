package dev.catsdogs.trainer.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the processor computes natively, from {@code /proc/cpuinfo}: whether it has bfloat16
 * arithmetic (AVX512-BF16 or AMX-BF16, which oneDNN's bfloat16 convolutions use; without them
 * PyTorch emulates bfloat16 in float32, slower than float32 itself).
 *
 * @param model the processor's model name, for messages ("unknown" when not said)
 * @param flags the feature flags of the first processor
 */
public record CpuFeatures(String model, Set<String> flags) {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /** This machine's processor; no flags where {@code /proc/cpuinfo} cannot be read. */
    public static CpuFeatures current() {
        try {
            return parse(Files.readString(CPUINFO, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return new CpuFeatures("unknown", Set.of());
        }
    }

    /** The first processor's model name and flags in a {@code /proc/cpuinfo} text. */
    public static CpuFeatures parse(String cpuinfo) {
        String model = "unknown";
        Set<String> flags = Set.of();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("model name") && model.equals("unknown")) {
                model = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                flags =
                        Arrays.stream(value.split("\\s+"))
                                .filter(f -> !f.isEmpty())
                                .collect(Collectors.toUnmodifiableSet());
            }
        }
        return new CpuFeatures(model, flags);
    }

    /** Whether bfloat16 convolutions run natively: AVX512-BF16 or AMX-BF16. */
    public boolean nativeBf16() {
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }
}
