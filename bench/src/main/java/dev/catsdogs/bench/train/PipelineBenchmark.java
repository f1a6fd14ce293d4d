package dev.catsdogs.bench.train;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.feed.Feed;
import dev.catsdogs.trainer.feed.ImageFeed;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The {@code --no-cache} input pipeline alone, without a model (no PyTorch): the single-image
 * preprocessing rate on one thread, then {@link BatchLoader} epochs (decode and batch assembly) at
 * 1 and 2 decoding threads, consumed through {@link ImageFeed} as the trainer consumes them. What a
 * GPU could be fed per decoding thread: {@code per_thread_efficiency} is the 1-thread epoch rate
 * over the single-image rate, {@code scaling_2_over_1} the 2-thread rate over the 1-thread rate.
 *
 * <p>The machine's own bound beside it: the single-image loop on 2 threads side by side, each on
 * its half of the photos, without a loader ({@code machine_2_over_1}, over the 1-thread loop). On a
 * VM whose second core does not double this work, the loader cannot either; {@code
 * loader_over_machine} is the 2-thread loader's rate over that bound.
 */
public final class PipelineBenchmark {

    /**
     * Rates in images per second (medians over the timed passes/epochs) and process CPU ms per
     * image.
     *
     * @param singleImage {@code preprocess} into a reused direct native-order buffer (the
     *     classifier's path), one thread
     * @param singleImageHeap the same into a reused heap {@code float[]}
     * @param threads1 BatchLoader epochs with 1 decoding thread
     * @param threads2 BatchLoader epochs with 2 decoding threads
     * @param singleImage2 the direct-buffer loop on 2 threads side by side (no loader)
     */
    public record Figures(
            double singleImage,
            double singleImageHeap,
            double threads1,
            double threads2,
            double singleImage2,
            double singleImageCpuMs,
            double singleImageHeapCpuMs,
            double threads1CpuMs,
            double threads2CpuMs,
            double singleImage2CpuMs) {

        public double perThreadEfficiency() {
            return threads1 / singleImage;
        }

        public double scaling() {
            return threads2 / threads1;
        }

        /** What 2 threads of the bare single-image loop do over 1: the machine's scaling. */
        public double machineScaling() {
            return singleImage2 / singleImage;
        }

        /** The 2-thread loader's rate over the 2-thread bare loop. */
        public double loaderOverMachine() {
            return threads2 / singleImage2;
        }

        /** The one-line summary. */
        public String line() {
            return String.format(
                    Locale.ROOT,
                    "pipeline: single_image_per_s=%.0f threads1_per_s=%.0f threads2_per_s=%.0f"
                            + " per_thread_efficiency=%.2f scaling_2_over_1=%.2f"
                            + " machine_2_over_1=%.2f loader_over_machine=%.2f",
                    singleImage,
                    threads1,
                    threads2,
                    perThreadEfficiency(),
                    scaling(),
                    machineScaling(),
                    loaderOverMachine());
        }

        /** A Markdown table of the figures. */
        public String table(int images, int imageSize, int batchSize) {
            StringBuilder t = new StringBuilder();
            t.append(
                    String.format(
                            Locale.ROOT,
                            "| input pipeline, %d photos, %dx%d, batch %d | threads | images/s |"
                                    + " images/s per thread | vs single image | CPU ms per"
                                    + " image |%n",
                            images,
                            imageSize,
                            imageSize,
                            batchSize));
            t.append("|---|---|---|---|---|---|\n");
            row(
                    t,
                    "preprocess one image into a reused direct buffer",
                    1,
                    singleImage,
                    1,
                    singleImageCpuMs);
            row(
                    t,
                    "preprocess one image into a reused float[]",
                    1,
                    singleImageHeap,
                    1,
                    singleImageHeapCpuMs);
            row(
                    t,
                    "preprocess one image per thread, side by side (no loader)",
                    2,
                    singleImage2,
                    2,
                    singleImage2CpuMs);
            row(t, "BatchLoader epoch (decode + batch assembly)", 1, threads1, 1, threads1CpuMs);
            row(t, "BatchLoader epoch (decode + batch assembly)", 2, threads2, 2, threads2CpuMs);
            return t.toString();
        }

        private void row(
                StringBuilder t, String what, int threads, double rate, int n, double cpuMs) {
            t.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.0f | %.0f | %.2f | %.3f |%n",
                            what,
                            threads,
                            rate,
                            rate / n,
                            rate / n / singleImage,
                            cpuMs));
        }
    }

    private final List<Sample> samples;
    private final int imageSize;
    private final int batchSize;
    private final PrintStream out;

    public PipelineBenchmark(List<Sample> samples, int imageSize, int batchSize, PrintStream out) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to run the pipeline on");
        }
        this.samples = List.copyOf(samples);
        this.imageSize = imageSize;
        this.batchSize = batchSize;
        this.out = out;
    }

    /**
     * Runs everything: one warm-up pass or epoch before each measurement, then {@code timed}.
     *
     * @param timed timed passes over the samples (single image) and timed epochs (loader)
     */
    public Figures run(int timed) throws InvalidImageException {
        if (timed < 1) {
            throw Arguments.received("timed", timed, ">= 1");
        }
        try (ImagePreprocessor pre =
                new ImagePreprocessor(PreprocessingSpec.mobileNetV2(imageSize))) {
            out.printf(
                    Locale.ROOT,
                    "input pipeline: %d photos, JPEG decoder %s, load average %.2f on %d cores%n",
                    samples.size(),
                    pre.jpegDecoder(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            FloatBuffer direct = directTensor(pre);
            FloatBuffer heap = FloatBuffer.wrap(new float[pre.tensorSize()]);
            double[] single = singleImage(pre, direct, timed, "direct buffer");
            double[] singleHeap = singleImage(pre, heap, timed, "float[]");
            double[] sideBySide = sideBySide(pre, timed);
            double[] one = loader(pre, 1, timed);
            double[] two = loader(pre, 2, timed);
            return new Figures(
                    single[0],
                    singleHeap[0],
                    one[0],
                    two[0],
                    sideBySide[0],
                    single[1],
                    singleHeap[1],
                    one[1],
                    two[1],
                    sideBySide[1]);
        }
    }

    /** {images/s, CPU ms per image}: median pass of {@code preprocess} into {@code dst}. */
    private double[] singleImage(ImagePreprocessor pre, FloatBuffer dst, int timed, String into)
            throws InvalidImageException {
        List<double[]> passes = new ArrayList<>();
        for (int pass = 0; pass <= timed; pass++) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            for (Sample s : samples) {
                dst.clear();
                pre.preprocess(ImageInput.of(s.file()), dst);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMs = (processCpuNanos() - cpu) / 1e6 / samples.size();
            if (pass > 0) {
                passes.add(new double[] {samples.size() / seconds, cpuMs});
            }
        }
        double[] m = median(passes);
        out.printf(
                Locale.ROOT,
                "  single image into a %s: %.0f images/s, %.3f CPU ms each (median of %d)%n",
                into,
                m[0],
                m[1],
                timed);
        return m;
    }

    /**
     * {images/s, CPU ms per image}: median pass of two threads, each running the single-image loop
     * on every other photo into its own direct buffer.
     */
    private double[] sideBySide(ImagePreprocessor pre, int timed) {
        List<double[]> passes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int pass = 0; pass <= timed; pass++) {
                long cpu = processCpuNanos();
                long start = System.nanoTime();
                List<Future<?>> halves = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    int first = k;
                    halves.add(pool.submit(() -> preprocessEveryOther(pre, first)));
                }
                for (Future<?> half : halves) {
                    half.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMs = (processCpuNanos() - cpu) / 1e6 / samples.size();
                if (pass > 0) {
                    passes.add(new double[] {samples.size() / seconds, cpuMs});
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("side-by-side preprocessing failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double[] m = median(passes);
        out.printf(
                Locale.ROOT,
                "  single image, 2 threads side by side: %.0f images/s, %.3f CPU ms each (median"
                        + " of %d)%n",
                m[0],
                m[1],
                timed);
        return m;
    }

    private Void preprocessEveryOther(ImagePreprocessor pre, int first)
            throws InvalidImageException {
        FloatBuffer dst = directTensor(pre);
        for (int i = first; i < samples.size(); i += 2) {
            dst.clear();
            pre.preprocess(ImageInput.of(samples.get(i).file()), dst);
        }
        return null;
    }

    // One image's tensor in a direct native-order buffer: the classifier's (and loader's) target.
    private static FloatBuffer directTensor(ImagePreprocessor pre) {
        return ByteBuffer.allocateDirect(4 * pre.tensorSize())
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** {images/s, CPU ms per image}: median epoch of a loader with {@code threads} threads. */
    private double[] loader(ImagePreprocessor pre, int threads, int timed) {
        List<double[]> epochs = new ArrayList<>();
        try (BatchLoader loader =
                BatchLoader.builder(samples, SampleDecoder.of(pre))
                        .optBatchSize(batchSize)
                        .optSeed(42)
                        .optThreads(threads)
                        .build()) {
            ImageFeed feed = new ImageFeed(loader, imageSize);
            for (int epoch = 0; epoch <= timed; epoch++) {
                long cpu = processCpuNanos();
                long start = System.nanoTime();
                int images = 0;
                double checksum = 0;
                try (Feed.Batches batches = feed.epoch(epoch)) {
                    while (batches.hasNext()) {
                        // An ImageFeed's batches are host floats; touch what the trainer hands
                        // to NDManager.create: data and labels.
                        Feed.HostBatch b = (Feed.HostBatch) batches.next();
                        checksum += b.data()[b.data().length - 1] + b.labels()[0];
                        images += b.size();
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMs = (processCpuNanos() - cpu) / 1e6 / Math.max(1, images);
                if (images == 0 || Double.isNaN(checksum)) {
                    throw new IllegalStateException("no image could be decoded");
                }
                if (epoch > 0) {
                    epochs.add(new double[] {images / seconds, cpuMs});
                }
            }
        }
        double[] m = median(epochs);
        out.printf(
                Locale.ROOT,
                "  BatchLoader, %d thread%s: %.0f images/s, %.3f CPU ms each (median of %d"
                        + " epochs)%n",
                threads,
                threads == 1 ? "" : "s",
                m[0],
                m[1],
                timed);
        return m;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The run whose rate is the median (its CPU figure alongside). */
    private static double[] median(List<double[]> runs) {
        double[][] sorted = runs.toArray(double[][]::new);
        Arrays.sort(sorted, (a, b) -> Double.compare(a[0], b[0]));
        return sorted[sorted.length / 2];
    }
}
