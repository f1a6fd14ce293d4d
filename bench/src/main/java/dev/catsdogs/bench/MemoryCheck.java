package dev.catsdogs.bench;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.OpenCvLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.opencv.core.Core;

/**
 * Resident memory of a process holding one classifier, and its growth over many classifications
 * from several threads: flat when every {@code OnnxTensor}, {@code Result} and {@code Mat} is
 * closed. Runs in a fresh JVM of its own ({@link #runChild}) with a fixed, pre-touched heap, so
 * heap sizing cannot pass for a leak and the harness's own memory is not counted, and with the
 * memory allocator's default settings; reads {@code VmRSS} from {@code /proc/self/status}.
 *
 * <p>Phases: JVM up ({@code rss_start}), classifier built ({@code rss_loaded}), a warm-up of 2% of
 * the classifications (at least 200: thread-local buffers, JIT, allocator arenas settle; {@code
 * rss_warm}), then the measured classifications ({@code rss_end}); growth is {@code rss_end -
 * rss_warm}.
 */
public final class MemoryCheck {

    /** Heap of the child JVM: fixed and pre-touched, so it is resident from the start. */
    static final String HEAP = "64m";

    /** RSS samples taken during the measured classifications. */
    static final int SAMPLES = 10;

    /** Growth above this many KiB after warm-up is reported as not flat. */
    static final long FLAT_LIMIT_KIB = 16 * 1024;

    /**
     * The outcome.
     *
     * @param classifications measured classifications (warm-up not included)
     * @param threads caller threads
     * @param rssStartKib VmRSS with the JVM up, before the classifier
     * @param rssLoadedKib after building the classifier
     * @param rssWarmKib after the warm-up
     * @param rssEndKib after the measured classifications
     * @param rssMaxKib largest VmRSS sampled during them
     * @param heapWarmKib Java heap in use after a GC, after the warm-up
     * @param heapEndKib Java heap in use after a GC, at the end
     * @param seconds wall time of the measured classifications
     * @param samplesKib VmRSS after each tenth of the measured classifications
     */
    public record Result(
            long classifications,
            int threads,
            long rssStartKib,
            long rssLoadedKib,
            long rssWarmKib,
            long rssEndKib,
            long rssMaxKib,
            long heapWarmKib,
            long heapEndKib,
            double seconds,
            long[] samplesKib) {

        public Result {
            samplesKib = samplesKib.clone();
        }

        @Override
        public long[] samplesKib() {
            return samplesKib.clone();
        }

        /** Resident growth over the measured classifications. */
        public long growthKib() {
            return rssEndKib - rssWarmKib;
        }

        /** Whether the growth is within {@link #FLAT_LIMIT_KIB}. */
        public boolean flat() {
            return growthKib() <= FLAT_LIMIT_KIB;
        }

        /** One {@code memory:} line of {@code key=value} pairs; {@link #parse} reads it back. */
        public String line() {
            return String.format(
                    Locale.ROOT,
                    "memory: classifications=%d threads=%d rss_start_kib=%d "
                            + "rss_loaded_kib=%d rss_warm_kib=%d rss_end_kib=%d rss_max_kib=%d "
                            + "heap_warm_kib=%d heap_end_kib=%d seconds=%.1f samples_kib=%s",
                    classifications,
                    threads,
                    rssStartKib,
                    rssLoadedKib,
                    rssWarmKib,
                    rssEndKib,
                    rssMaxKib,
                    heapWarmKib,
                    heapEndKib,
                    seconds,
                    java.util.Arrays.stream(samplesKib)
                            .mapToObj(Long::toString)
                            .collect(Collectors.joining(",")));
        }

        /** For people: RSS before and after, growth, and the verdict. */
        public String summary() {
            String tenths =
                    java.util.Arrays.stream(samplesKib)
                            .mapToObj(k -> String.format(Locale.ROOT, "%.0f", mib(k)))
                            .collect(Collectors.joining(" "));
            return String.format(
                    Locale.ROOT,
                    "memory (VmRSS, %s heap pre-touched, allocator defaults): JVM alone %.1f MiB,"
                        + " with the classifier loaded %.1f MiB, after warm-up %.1f MiB; after %,d"
                        + " classifications from %d threads (%.0f s) %.1f MiB: growth %+.1f MiB"
                        + " (%.0f bytes per classification), max %.1f MiB, at each tenth [%s] MiB:"
                        + " %s",
                    HEAP,
                    mib(rssStartKib),
                    mib(rssLoadedKib),
                    mib(rssWarmKib),
                    classifications,
                    threads,
                    seconds,
                    mib(rssEndKib),
                    mib(growthKib()),
                    1024.0 * growthKib() / classifications,
                    mib(rssMaxKib),
                    tenths,
                    flat() ? "flat" : "NOT FLAT (limit +" + FLAT_LIMIT_KIB / 1024 + " MiB)");
        }

        /**
         * Reads a {@link #line()}.
         *
         * @throws IllegalArgumentException if a key is missing
         */
        public static Result parse(String line) {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String token : line.strip().replaceFirst("^memory:\\s*", "").split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    kv.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
            try {
                return new Result(
                        Long.parseLong(kv.get("classifications")),
                        Integer.parseInt(kv.get("threads")),
                        Long.parseLong(kv.get("rss_start_kib")),
                        Long.parseLong(kv.get("rss_loaded_kib")),
                        Long.parseLong(kv.get("rss_warm_kib")),
                        Long.parseLong(kv.get("rss_end_kib")),
                        Long.parseLong(kv.get("rss_max_kib")),
                        Long.parseLong(kv.get("heap_warm_kib")),
                        Long.parseLong(kv.get("heap_end_kib")),
                        Double.parseDouble(kv.get("seconds")),
                        java.util.Arrays.stream(kv.get("samples_kib").split(","))
                                .mapToLong(Long::parseLong)
                                .toArray());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a complete memory line: '" + line + "'", e);
            }
        }

        private static double mib(long kib) {
            return kib / 1024.0;
        }
    }

    private MemoryCheck() {}

    /** Child entry point: {@code MemoryCheck <model> <data> <classifications> <threads>}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println(
                    "usage: MemoryCheck <model.onnx> <data dir> <classifications> <threads>");
            System.exit(2);
        }
        Result r =
                measure(
                        Path.of(args[0]),
                        Path.of(args[1]),
                        Long.parseLong(args[2]),
                        Integer.parseInt(args[3]));
        System.out.println(r.line());
    }

    /**
     * Runs the check in a fresh JVM with this JVM's class path and environment (so jemalloc, when
     * preloaded, is there too), and returns its result.
     *
     * @throws IOException if the child cannot start, fails or prints no result
     */
    public static Result runChild(Path model, Path data, long classifications, int threads)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xms" + HEAP,
                                "-Xmx" + HEAP,
                                "-XX:+AlwaysPreTouch",
                                "-cp",
                                System.getProperty("java.class.path"),
                                MemoryCheck.class.getName(),
                                model.toString(),
                                data.toString(),
                                Long.toString(classifications),
                                Integer.toString(threads)));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        // The launcher's MALLOC_CONF keeps every freed page resident (retain, no decay: what
        // PyTorch
        // training wants). Under it RSS creeps as freed pages pile up while live allocations stay
        // flat,
        // which would hide what this check is for. A server embedding the classifier has no reason
        // to
        // use it: run with jemalloc's defaults (or glibc when jemalloc is not preloaded).
        builder.environment().remove("MALLOC_CONF");
        Process child = builder.start();
        List<String> out;
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            out = reader.lines().collect(Collectors.toList());
        }
        if (!child.waitFor(10, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new IOException(
                    "memory check did not finish within 10 minutes after its output " + "closed");
        }
        if (child.exitValue() != 0) {
            throw new IOException(
                    "memory check exited with "
                            + child.exitValue()
                            + ": "
                            + String.join("\n", out));
        }
        return out.stream()
                .filter(l -> l.startsWith("memory:"))
                .reduce((a, b) -> b)
                .map(Result::parse)
                .orElseThrow(() -> new IOException("memory check printed no result: " + out));
    }

    /** Runs the check in this JVM (the child does this). */
    public static Result measure(Path model, Path data, long classifications, int threads)
            throws ModelLoadException, InterruptedException, IOException {
        if (threads < 1) {
            throw Arguments.received("threads", threads, ">= 1");
        }
        if (classifications < threads) {
            throw Arguments.received(
                    "classifications", classifications, ">= threads (" + threads + ")");
        }
        long start = ProcessMemory.rssKib();
        OpenCvLoader.ensureLoaded();
        Core.setNumThreads(1); // as in the benchmarks: each caller preprocesses on its own thread
        SamplePhotos photos = SamplePhotos.load(data, 8);
        try (ImageClassifier classifier =
                ImageClassifier.builder(model).optIntraOpThreads(1).build()) {
            long loaded = ProcessMemory.rssKib();
            long warmup = Math.max(200, classifications / 50);
            classifyFromThreads(classifier, photos, warmup, threads);
            long heapWarm = heapAfterGcKib();
            long warm = ProcessMemory.rssKib();

            AtomicLong done = new AtomicLong();
            long[] samples = new long[SAMPLES];
            long max = warm;
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> callers =
                        startCallers(pool, classifier, photos, classifications, threads, done);
                // Sample VmRSS at every tenth of the way and keep the largest value seen.
                for (int next = 0; next < SAMPLES; ) {
                    long rss = ProcessMemory.rssKib();
                    max = Math.max(max, rss);
                    while (next < SAMPLES && done.get() >= (next + 1) * classifications / SAMPLES) {
                        samples[next++] = rss;
                    }
                    for (Future<?> caller : callers) {
                        if (caller.isDone()) {
                            await(List.of(caller)); // returns at once; throws if the caller failed
                        }
                    }
                    Thread.sleep(50);
                }
                await(callers);
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long heapEnd = heapAfterGcKib();
            long end = ProcessMemory.rssKib();
            return new Result(
                    classifications,
                    threads,
                    start,
                    loaded,
                    warm,
                    end,
                    Math.max(max, end),
                    heapWarm,
                    heapEnd,
                    seconds,
                    samples);
        }
    }

    /** Runs {@code count} classifications from {@code threads} threads and waits for them. */
    private static void classifyFromThreads(
            ImageClassifier classifier, SamplePhotos photos, long count, int threads)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            await(startCallers(pool, classifier, photos, count, threads, new AtomicLong()));
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** {@code count} classifications split over {@code threads} callers, cycling through photos. */
    private static List<Future<?>> startCallers(
            ExecutorService pool,
            ImageClassifier classifier,
            SamplePhotos photos,
            long count,
            int threads,
            AtomicLong done) {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long share = count / threads + (t < count % threads ? 1 : 0);
            int offset = t * 3;
            futures.add(
                    pool.submit(
                            () -> {
                                for (long i = 0; i < share; i++) {
                                    int k = (int) ((i + offset) % photos.size());
                                    try {
                                        classifier.classify(
                                                photos.encoded().get(k), photos.names().get(k));
                                    } catch (InvalidImageException e) {
                                        throw new IllegalStateException(e.getMessage(), e);
                                    }
                                    done.incrementAndGet();
                                }
                                return null;
                            }));
        }
        return futures;
    }

    private static void await(List<Future<?>> futures) throws InterruptedException {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "a classification failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private static long heapAfterGcKib() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / 1024;
    }
}
