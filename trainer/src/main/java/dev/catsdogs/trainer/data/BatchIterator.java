package dev.catsdogs.trainer.data;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;

/**
 * The batches of one epoch (or evaluation pass), decoded ahead on background threads.
 *
 * <p>Use it in try-with-resources, so that leaving the loop early (break, an exception in the
 * training step, Ctrl-C unwinding) stops the decoding threads:
 *
 * <pre>{@code
 * try (BatchIterator batches = loader.epoch(epoch)) {
 *     for (Batch batch : batches) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * The decoding tasks also stop by themselves after the last batch, and, as a safety net, when an
 * unclosed iterator becomes unreachable. They run on the loader's daemon threads, named {@link
 * BatchLoader#THREAD_NAME_PREFIX}{@code ...}, so they never keep the JVM alive.
 *
 * <p>Not thread-safe: one consumer thread. It can be iterated once. {@link #close()} is idempotent;
 * {@link #hasNext()} and {@link #next()} after {@code close()} throw {@link IllegalStateException}
 * unless the iteration had already ended.
 */
public final class BatchIterator implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final DecodePipeline pipeline;
    private final Cleaner.Cleanable cleanable;
    private final String description;
    private final int plannedSamples;
    private final int plannedBatches;
    private Batch pending;
    private boolean iterated;
    private boolean finished;
    private boolean closed;
    private int batchesDelivered;

    BatchIterator(
            DecodePipeline pipeline,
            Executor executor,
            String description,
            int plannedSamples,
            int plannedBatches) {
        this.pipeline = pipeline;
        this.description = description;
        this.plannedSamples = plannedSamples;
        this.plannedBatches = plannedBatches;
        // The pipeline must not reference this iterator, or the cleaner would never run.
        this.cleanable = CLEANER.register(this, pipeline);
        pipeline.start(executor);
    }

    /** Returns this iterator; a second call throws {@link IllegalStateException}. */
    @Override
    public Iterator<Batch> iterator() {
        if (iterated) {
            throw new IllegalStateException(
                    "The batches of " + description + " can be iterated only once");
        }
        iterated = true;
        return this;
    }

    /**
     * Whether there is another batch, waiting for it to be decoded if needed.
     *
     * @throws CancellationException if the calling thread is interrupted while waiting (the
     *     iterator is then closed and the interrupt flag kept)
     * @throws IllegalStateException if the iterator was closed, or the decoder broke its contract
     */
    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (finished) {
            return false;
        }
        if (closed) {
            throw new IllegalStateException(
                    "The batches of " + description + " were used after close()");
        }
        try {
            pending = pipeline.next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new CancellationException(
                    "Interrupted while waiting for a batch of " + description);
        } catch (RuntimeException | Error e) {
            finished = true;
            close();
            throw e;
        }
        if (pending == null) {
            finished = true;
            close();
            return false;
        }
        return true;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("No more batches in " + description);
        }
        Batch batch = pending;
        pending = null;
        batchesDelivered++;
        return batch;
    }

    /** Samples this iteration will try to decode (known bad files excluded). */
    public int plannedSamples() {
        return plannedSamples;
    }

    /**
     * Batches this iteration yields if no new bad file turns up (an upper bound), e.g. for a
     * progress bar.
     */
    public int plannedBatches() {
        return plannedBatches;
    }

    /** Batches returned by {@link #next()} so far. */
    public int batchesDelivered() {
        return batchesDelivered;
    }

    /** Files that failed to decode in this iteration so far (each is new to the loader). */
    public int skipped() {
        return pipeline.skipped();
    }

    /** Stops the decoding threads and waits for them (at most about 10 s). Idempotent. */
    @Override
    public void close() {
        closed = true;
        pending = null;
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "BatchIterator["
                + description
                + ", "
                + batchesDelivered
                + "/"
                + plannedBatches
                + " batches]";
    }
}
