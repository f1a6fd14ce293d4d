package dev.catsdogs.trainer.data;

import dev.catsdogs.inference.internal.Arguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes samples into batches on background threads, for training epochs and evaluation passes.
 *
 * <p>{@link #epoch(int)} yields every sample once, as batches of {@code batchSize} (the last one
 * may be smaller, or is dropped with {@link Builder#optDropLast}). With {@link
 * ShuffleMode#EACH_EPOCH} the order is a full shuffle of all samples drawn from {@code new
 * Random(Seeds.derive(seed, "epoch/" + epoch))}, so it depends only on the seed and the epoch
 * number. {@link #pass()} yields every sample in the given order, never drops a partial batch, and
 * is meant for validation and test.
 *
 * <p>With an {@link Builder#optAugmentation augmentation}, each sample of a training epoch gets its
 * own {@link AugmentationDraw}, from {@code new Random(Seeds.derive(seed, "augment/epoch/" + epoch
 * + "/" + i))} where {@code i} is the sample's index in the loader's list: the same seed gives the
 * same augmented batches, whatever the thread timing. {@link #augmentedPass(int)} draws view {@code
 * k} of every sample the same way from {@code "augment/view/" + k}. {@link #pass()} never augments.
 *
 * <p>Decoding runs on {@link Builder#optThreads} daemon threads that work up to {@link
 * Builder#optPrefetchBatches} batches ahead of the consumer. The threads belong to one executor per
 * loader, reused by every epoch and pass; a thread idle for {@value #IDLE_THREAD_SECONDS} s ends,
 * and {@link #close()} ends them all. A file whose decoding throws an exception is skipped, not
 * fatal: it is recorded once as a {@link SkippedFile} with the exception's message, and later
 * epochs and passes of this loader leave it out. Batches stay full-size except the last: a skipped
 * file's place goes to the next sample. The batches are the same whatever the thread timing.
 *
 * <p>Thread-safe; each {@link BatchIterator} must be closed (see there), and so should the loader.
 */
public final class BatchLoader implements AutoCloseable {

    /**
     * Name prefix of every decoding thread, e.g. {@code catsdogs-batch-loader-2-epoch-5-decode-0}.
     */
    public static final String THREAD_NAME_PREFIX = "catsdogs-batch-loader-";

    /** How long a decoding thread waits for the next pass before it ends. */
    static final int IDLE_THREAD_SECONDS = 30;

    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<Sample> samples;
    private final SampleDecoder decoder;
    private final int batchSize;
    private final long seed;
    private final ShuffleMode shuffle;
    private final int threads;
    private final int prefetchBatches;
    private final boolean dropLast;
    private final Augmentation augmentation;
    private final Map<Sample, Integer> indexOf = new HashMap<>();
    private final String name;
    private final Map<Path, SkippedFile> badFiles = new LinkedHashMap<>();
    private final AtomicInteger threadIds = new AtomicInteger();
    private ThreadPoolExecutor executor; // made by the first pass; guarded by this
    private boolean closed; // guarded by this

    private BatchLoader(Builder builder) {
        this.samples = builder.samples;
        this.decoder = builder.decoder;
        this.batchSize = builder.batchSize;
        this.seed = builder.seed;
        this.shuffle = builder.shuffle;
        this.threads = builder.threads;
        this.prefetchBatches = builder.prefetchBatches;
        this.dropLast = builder.dropLast;
        this.augmentation = builder.augmentation;
        for (int i = samples.size() - 1; i >= 0; i--) {
            indexOf.put(samples.get(i), i); // a duplicate keeps its first index
        }
        this.name = THREAD_NAME_PREFIX + IDS.incrementAndGet();
    }

    /**
     * A builder for a loader of {@code samples} decoded by {@code decoder}.
     *
     * @param samples the samples (copied)
     * @param decoder the decoder, called from several threads at once
     * @return the builder
     */
    public static Builder builder(List<Sample> samples, SampleDecoder decoder) {
        return new Builder(samples, decoder);
    }

    /**
     * Starts decoding the batches of training epoch {@code epoch}.
     *
     * @param epoch the epoch number, {@code >= 0}; it seeds the shuffle
     * @return the batches; close it
     */
    public BatchIterator epoch(int epoch) {
        if (epoch < 0) {
            throw Arguments.received("epoch", epoch, ">= 0");
        }
        List<Sample> order = order(epoch);
        List<AugmentationDraw> draws =
                augmentation.enabled() ? draws(order, "augment/epoch/" + epoch) : null;
        return start(order, draws, dropLast, "epoch-" + epoch);
    }

    /**
     * Starts decoding augmented view {@code view} of every sample, in the order of {@link #pass()}
     * (the last partial batch kept): what a cache of several augmented views is built from.
     *
     * @param view the view number, {@code >= 0}; it seeds the draws
     * @return the batches; close it
     * @throws IllegalStateException if the loader has no augmentation
     */
    public BatchIterator augmentedPass(int view) {
        if (view < 0) {
            throw Arguments.received("view", view, ">= 0");
        }
        if (!augmentation.enabled()) {
            throw new IllegalStateException(name + " has no augmentation to draw views from");
        }
        List<Sample> order = passOrder();
        return start(order, draws(order, "augment/view/" + view), false, "view-" + view);
    }

    /** The draws of {@code order}'s samples in one stream, each from the seed, stream and index. */
    private List<AugmentationDraw> draws(List<Sample> order, String stream) {
        List<AugmentationDraw> draws = new ArrayList<>(order.size());
        for (Sample sample : order) {
            long drawSeed = Seeds.derive(seed, stream + "/" + indexOf.get(sample));
            draws.add(augmentation.draw(new Random(drawSeed)));
        }
        return draws;
    }

    /** The augmentation of training epochs ({@link Augmentation#NONE} when there is none). */
    public Augmentation augmentation() {
        return augmentation;
    }

    /**
     * Starts decoding one pass over all samples in their own order, keeping the last partial batch:
     * for evaluation. Files known to be bad are left out.
     *
     * @return the batches; close it
     */
    public BatchIterator pass() {
        return start(withoutBadFiles(samples), null, false, "pass");
    }

    /** The samples of {@link #pass()}, in order, known bad files excluded. */
    public List<Sample> passOrder() {
        return withoutBadFiles(samples);
    }

    /** The order of epoch {@code epoch}, known bad files excluded (what {@link #epoch} decodes). */
    public List<Sample> order(int epoch) {
        List<Sample> order = new ArrayList<>(samples);
        if (shuffle == ShuffleMode.EACH_EPOCH) {
            // Shuffle everything first, then filter, so the order of the good files does not
            // depend on which bad files were already known.
            Collections.shuffle(order, new Random(Seeds.derive(seed, "epoch/" + epoch)));
        }
        return withoutBadFiles(order);
    }

    private BatchIterator start(
            List<Sample> order, List<AugmentationDraw> draws, boolean dropPartial, String what) {
        String threadName = name + "-" + what;
        DecodePipeline pipeline =
                new DecodePipeline(
                        order,
                        draws,
                        decoder,
                        batchSize,
                        dropPartial,
                        threads,
                        prefetchBatches,
                        this::recordBadFile,
                        threadName);
        int batches =
                dropPartial ? order.size() / batchSize : (order.size() + batchSize - 1) / batchSize;
        try {
            return new BatchIterator(pipeline, executor(what), threadName, order.size(), batches);
        } catch (RejectedExecutionException e) { // closed between executor() and the start
            throw closedError(what);
        }
    }

    /**
     * The loader's executor: a thread per running task (a pass needs its workers and its assembler
     * at once, and an unclosed iterator may still hold some), idle threads reused, then ended.
     */
    private synchronized ThreadPoolExecutor executor(String what) {
        if (closed) {
            throw closedError(what);
        }
        if (executor == null) {
            ThreadFactory factory =
                    body -> {
                        Thread thread =
                                new Thread(body, name + "-idle-" + threadIds.getAndIncrement());
                        thread.setDaemon(true);
                        return thread;
                    };
            executor =
                    new ThreadPoolExecutor(
                            0,
                            Integer.MAX_VALUE,
                            IDLE_THREAD_SECONDS,
                            TimeUnit.SECONDS,
                            new SynchronousQueue<>(),
                            factory);
        }
        return executor;
    }

    private IllegalStateException closedError(String what) {
        return new IllegalStateException("Cannot start " + what + ": " + name + " was closed");
    }

    /**
     * Ends the loader's threads: stops whatever unclosed iterators still decode and waits (up to 10
     * s) for the threads to end. Later {@link #epoch}/{@link #pass} calls throw {@link
     * IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        ThreadPoolExecutor toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = executor;
        }
        if (toStop == null) {
            return;
        }
        toStop.shutdownNow();
        try {
            if (!toStop.awaitTermination(10, TimeUnit.SECONDS)) {
                System.getLogger(BatchLoader.class.getName())
                        .log(
                                System.Logger.Level.WARNING,
                                "{0}: decoding threads did not end within 10 s (stuck in the"
                                        + " decoder?)",
                                name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Sample> withoutBadFiles(List<Sample> order) {
        synchronized (badFiles) {
            if (badFiles.isEmpty()) {
                return order;
            }
            return order.stream().filter(s -> !badFiles.containsKey(s.file())).toList();
        }
    }

    private void recordBadFile(Path file, String reason) {
        synchronized (badFiles) {
            badFiles.putIfAbsent(file, new SkippedFile(file, reason));
        }
    }

    /** Files that failed to decode so far, each once, in the order they were found. */
    public List<SkippedFile> skipped() {
        synchronized (badFiles) {
            return List.copyOf(badFiles.values());
        }
    }

    /** Number of {@link #skipped()} files. */
    public int skippedCount() {
        synchronized (badFiles) {
            return badFiles.size();
        }
    }

    /** Number of samples given to the loader (bad ones included). */
    public int size() {
        return samples.size();
    }

    /** The loader's name, e.g. {@code catsdogs-batch-loader-3}: the prefix of its thread names. */
    String name() {
        return name;
    }

    /** Samples per batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Floats per sample. */
    public int tensorSize() {
        return decoder.tensorSize();
    }

    /** Builder of {@link BatchLoader}. */
    public static final class Builder {
        private final List<Sample> samples;
        private final SampleDecoder decoder;
        private int batchSize = 32;
        private long seed;
        private ShuffleMode shuffle = ShuffleMode.EACH_EPOCH;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int prefetchBatches = 3;
        private boolean dropLast;
        private Augmentation augmentation = Augmentation.NONE;

        private Builder(List<Sample> samples, SampleDecoder decoder) {
            this.samples = List.copyOf(Objects.requireNonNull(samples, "samples"));
            this.decoder = Objects.requireNonNull(decoder, "decoder");
            if (decoder.tensorSize() < 1) {
                throw Arguments.received("decoder.tensorSize()", decoder.tensorSize(), ">= 1");
            }
        }

        /** Samples per batch (default 32). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = atLeastOne("batchSize", batchSize);
            return this;
        }

        /** The seed of the per-epoch shuffle (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How epochs are ordered (default {@link ShuffleMode#EACH_EPOCH}). */
        public Builder optShuffle(ShuffleMode shuffle) {
            this.shuffle = Objects.requireNonNull(shuffle, "shuffle");
            return this;
        }

        /** Decoding threads (default: available processors). */
        public Builder optThreads(int threads) {
            this.threads = atLeastOne("threads", threads);
            return this;
        }

        /** Batches decoded ahead of the consumer (default 3). */
        public Builder optPrefetchBatches(int prefetchBatches) {
            this.prefetchBatches = atLeastOne("prefetchBatches", prefetchBatches);
            return this;
        }

        /**
         * Whether {@link BatchLoader#epoch(int)} drops a last batch smaller than the batch size
         * (default false).
         */
        public Builder optDropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Random changes to the images of training epochs (default {@link Augmentation#NONE}); the
         * decoder must support them ({@link
         * SampleDecoder#of(dev.catsdogs.inference.ImagePreprocessor)} does).
         */
        public Builder optAugmentation(Augmentation augmentation) {
            this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
            return this;
        }

        /** Builds the loader. */
        public BatchLoader build() {
            return new BatchLoader(this);
        }

        private static int atLeastOne(String name, int value) {
            if (value < 1) {
                throw Arguments.received(name, value, ">= 1");
            }
            return value;
        }
    }
}
