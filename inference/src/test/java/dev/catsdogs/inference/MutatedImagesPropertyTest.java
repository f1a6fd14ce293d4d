package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Damaged JPEG, PNG and BMP files (bit flips, truncation, changed header fields such as the width
 * and height) either preprocess or fail with {@link InvalidImageException}: never another
 * exception, a crash or a hang. Property-based in the plain way: {@value #TRIES} random mutations
 * per format from a seeded {@link Random}, so CI is reproducible and a failure names the try that
 * broke (change the seed to explore further).
 */
class MutatedImagesPropertyTest {

    private static final int TRIES = 200;
    private static final long SEED = 20261130L;
    // A hang guard, not a speed target: a try normally takes milliseconds.
    private static final long TIMEOUT_SECONDS = 10;

    private static final byte[] JPEG = readPhoto("cat.2001.jpg");
    private static final byte[] PNG = encode("png");
    private static final byte[] BMP = encode("bmp");
    // Where each format keeps its width and height (big-endian u16 in the JPEG's SOF0).
    private static final int JPEG_SIZE_AT = indexOfSof(JPEG) + 5;
    private static final int PNG_SIZE_AT = 16;
    private static final int BMP_SIZE_AT = 18;

    private static final ImagePreprocessor TURBO =
            new ImagePreprocessor(PreprocessingSpec.mobileNetV2(32));
    private static final ImagePreprocessor OPENCV =
            ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(32))
                    .optTurboJpeg(false)
                    .build();
    private static final ExecutorService EXECUTOR =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "mutated-image");
                        t.setDaemon(true); // a hung decode must not keep the test JVM alive
                        return t;
                    });

    @AfterAll
    static void shutDown() {
        EXECUTOR.shutdownNow();
        TURBO.close();
        OPENCV.close();
    }

    @Test
    void mutatedJpeg() {
        Random random = new Random(SEED);
        for (int t = 0; t < TRIES; t++) {
            // Cut JPEGs with an end-of-image marker appended look complete to the header reader.
            Mutation m =
                    random.nextInt(4) == 0
                            ? cutWithEnd(random)
                            : mutation(random, JPEG, JPEG_SIZE_AT, 2);
            preprocessesOrRefuses(m, t, random.nextBoolean() ? TURBO : OPENCV);
        }
    }

    @Test
    void mutatedPng() {
        Random random = new Random(SEED + 1);
        for (int t = 0; t < TRIES; t++) {
            preprocessesOrRefuses(mutation(random, PNG, PNG_SIZE_AT, 4), t, TURBO);
        }
    }

    @Test
    void mutatedBmp() {
        Random random = new Random(SEED + 2);
        for (int t = 0; t < TRIES; t++) {
            preprocessesOrRefuses(mutation(random, BMP, BMP_SIZE_AT, 4), t, TURBO);
        }
    }

    /** Damaged bytes and what was done to them, for the failure message. */
    private record Mutation(byte[] data, String what) {}

    private static Mutation cutWithEnd(Random random) {
        int n = 2 + random.nextInt(JPEG.length - 3);
        byte[] d = Arrays.copyOf(JPEG, n + 2);
        d[n] = (byte) 0xFF;
        d[n + 1] = (byte) 0xD9;
        return new Mutation(d, "cut at " + n + " with an end-of-image marker");
    }

    /** Bit flips, truncation, or a new width or height field, on {@code base}. */
    private static Mutation mutation(Random random, byte[] base, int sizeAt, int fieldBytes) {
        switch (random.nextInt(3)) {
            case 0 -> {
                int flips = 1 + random.nextInt(16);
                List<Integer> bits = random.ints(flips, 0, base.length * 8).boxed().toList();
                return new Mutation(flip(base, bits), "bits flipped: " + bits);
            }
            case 1 -> {
                int n = random.nextInt(base.length);
                return new Mutation(Arrays.copyOf(base, n), "truncated to " + n + " bytes");
            }
            default -> {
                long[] special = {0L, 1L, 7000L, 65535L, (1L << 20) + 1, 0xFFFFFFFFL};
                long max = (1L << (8 * fieldBytes)) - 1;
                long value =
                        random.nextBoolean()
                                ? Math.min(special[random.nextInt(special.length)], max)
                                : (long) (random.nextDouble() * max);
                int which = random.nextInt(2);
                return new Mutation(
                        setField(base, sizeAt + which * fieldBytes, fieldBytes, value),
                        (which == 0 ? "width" : "height") + " field set to " + value);
            }
        }
    }

    private static void preprocessesOrRefuses(
            Mutation mutation, int attempt, ImagePreprocessor preprocessor) {
        byte[] data = mutation.data();
        String which = "try " + attempt + " (" + mutation.what() + ")";
        FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize());
        Future<?> run =
                EXECUTOR.submit(
                        () -> {
                            preprocessor.preprocess(ImageInput.of(data, "mutated"), dst);
                            return null;
                        });
        try {
            run.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof InvalidImageException)) {
                throw new AssertionError(
                        which + ": expected success or InvalidImageException, got " + e.getCause(),
                        e.getCause());
            }
        } catch (TimeoutException e) {
            run.cancel(true);
            fail(which + ": no answer after " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    private static byte[] flip(byte[] base, List<Integer> bits) {
        byte[] d = base.clone();
        for (int bit : bits) {
            d[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return d;
    }

    // PNG is big-endian, BMP little-endian (its 4-byte fields); JPEG's 2-byte fields big-endian.
    private static byte[] setField(byte[] base, int at, int bytes, long value) {
        byte[] d = base.clone();
        boolean littleEndian = base == BMP;
        for (int i = 0; i < bytes; i++) {
            int shift = 8 * (littleEndian ? i : bytes - 1 - i);
            d[at + i] = (byte) (value >>> shift);
        }
        return d;
    }

    private static byte[] readPhoto(String name) {
        try {
            return Files.readAllBytes(TestImages.photo(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // A 64x48 gradient: varied enough that damage changes something.
    private static byte[] encode(String format) {
        int[][] r = new int[48][64];
        int[][] g = new int[48][64];
        int[][] b = new int[48][64];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                r[y][x] = 4 * x;
                g[y][x] = 5 * y;
                b[y][x] = (x * y) & 0xFF;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(TestImages.rgb(r, g, b), format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int indexOfSof(byte[] jpeg) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if (jpeg[i] == (byte) 0xFF && jpeg[i + 1] == (byte) 0xC0) {
                return i;
            }
        }
        throw new IllegalStateException("no SOF0 marker in the test JPEG");
    }
}
