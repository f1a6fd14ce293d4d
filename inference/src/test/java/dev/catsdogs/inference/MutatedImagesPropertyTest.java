package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Damaged JPEG, PNG and BMP files (bit flips, truncation, changed header fields such as the width
 * and height) either preprocess or fail with {@link InvalidImageException}: never another
 * exception, a crash or a hang. A fixed seed keeps CI reproducible; change it to explore further.
 */
class MutatedImagesPropertyTest {

    private static final int TRIES = 200;
    private static final String SEED = "20261130";
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

    @AfterContainer
    static void shutDown() {
        EXECUTOR.shutdownNow();
        TURBO.close();
        OPENCV.close();
    }

    @Property(tries = TRIES, seed = SEED)
    void mutatedJpeg(@ForAll("jpeg") byte[] data, @ForAll boolean turboJpeg) {
        preprocessesOrRefuses(data, turboJpeg ? TURBO : OPENCV);
    }

    @Property(tries = TRIES, seed = SEED)
    void mutatedPng(@ForAll("png") byte[] data) {
        preprocessesOrRefuses(data, TURBO);
    }

    @Property(tries = TRIES, seed = SEED)
    void mutatedBmp(@ForAll("bmp") byte[] data) {
        preprocessesOrRefuses(data, TURBO);
    }

    @Provide
    Arbitrary<byte[]> jpeg() {
        // Cut JPEGs with an end-of-image marker appended look complete to the header reader.
        Arbitrary<byte[]> cutWithEnd =
                Arbitraries.integers()
                        .between(2, JPEG.length - 1)
                        .map(
                                n -> {
                                    byte[] d = Arrays.copyOf(JPEG, n + 2);
                                    d[n] = (byte) 0xFF;
                                    d[n + 1] = (byte) 0xD9;
                                    return d;
                                });
        return Arbitraries.oneOf(mutations(JPEG, JPEG_SIZE_AT, 2), cutWithEnd);
    }

    @Provide
    Arbitrary<byte[]> png() {
        return mutations(PNG, PNG_SIZE_AT, 4);
    }

    @Provide
    Arbitrary<byte[]> bmp() {
        return mutations(BMP, BMP_SIZE_AT, 4);
    }

    /** Bit flips, truncation, or a new width or height field, on {@code base}. */
    private static Arbitrary<byte[]> mutations(byte[] base, int sizeAt, int fieldBytes) {
        Arbitrary<byte[]> bitFlips =
                Arbitraries.integers()
                        .between(0, base.length * 8 - 1)
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(16)
                        .map(bits -> flip(base, bits));
        Arbitrary<byte[]> truncated =
                Arbitraries.integers().between(0, base.length - 1).map(n -> Arrays.copyOf(base, n));
        Arbitrary<Long> sizes =
                Arbitraries.oneOf(
                        Arbitraries.of(0L, 1L, 7000L, 65535L, (1L << 20) + 1, 0xFFFFFFFFL),
                        Arbitraries.longs().between(0, (1L << (8 * fieldBytes)) - 1));
        Arbitrary<byte[]> newSize =
                Combinators.combine(Arbitraries.of(0, 1), sizes)
                        .as(
                                (which, value) ->
                                        setField(
                                                base,
                                                sizeAt + which * fieldBytes,
                                                fieldBytes,
                                                value));
        return Arbitraries.oneOf(bitFlips, truncated, newSize);
    }

    private static void preprocessesOrRefuses(byte[] data, ImagePreprocessor preprocessor) {
        FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize());
        Future<?> run =
                EXECUTOR.submit(
                        () -> {
                            preprocessor.preprocess(data, "mutated", dst);
                            return null;
                        });
        try {
            run.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof InvalidImageException)) {
                throw new AssertionError(
                        "expected success or InvalidImageException, got " + e.getCause(),
                        e.getCause());
            }
        } catch (TimeoutException e) {
            run.cancel(true);
            fail("no answer after " + TIMEOUT_SECONDS + " s for " + data.length + " bytes");
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
