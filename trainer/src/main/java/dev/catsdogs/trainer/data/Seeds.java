package dev.catsdogs.trainer.data;

import java.nio.charset.StandardCharsets;

/**
 * Derives independent seeds from one run seed, one per use ("split/cats", "epoch/3", ...), so that
 * every random decision is reproducible from the run seed alone and no use disturbs another (adding
 * a class does not change the split of the others; the shuffle of epoch 3 does not depend on how
 * many epochs ran before).
 */
public final class Seeds {

    private Seeds() {}

    /**
     * A seed for {@code purpose}, derived from {@code seed}: SplitMix64 finalizers over the seed
     * and a 64-bit FNV-1a hash of the purpose's UTF-8 bytes.
     *
     * @param seed the run seed
     * @param purpose a stable name of the use, e.g. {@code "epoch/3"}
     * @return the derived seed, e.g. for {@code new Random(...)}
     */
    public static long derive(long seed, String purpose) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(mix(seed) ^ hash);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
