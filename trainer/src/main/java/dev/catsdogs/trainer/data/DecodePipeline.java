package dev.catsdogs.trainer.data;

import java.lang.System.Logger.Level;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The work behind one {@link BatchIterator}: decode workers and one assembler, run as tasks on the
 * loader's executor, whose threads are reused from pass to pass.
 *
 * <p>Workers take sample indices in order from a shared counter and decode each (with its
 * augmentation draw, when there are draws) into a slot of a ring of {@code window} per-sample
 * direct buffers; a semaphore keeps them at most {@code window} samples ahead of the assembler. The
 * assembler walks the samples in order, copies decoded ones into the next batch, records failed
 * ones as bad files, and puts finished batches into a queue of {@code prefetchBatches}, from which
 * the consumer takes them. Because assembly follows the sample order, the batches do not depend on
 * thread timing. {@link #run()} (the cleanup action) stops every task. While a task runs, its
 * thread is named after the pipeline ({@code ...-epoch-5-decode-0}); back in the pool it gets its
 * idle name again.
 */
final class DecodePipeline implements Runnable {

    /** Receives each file that failed to decode, in sample order. */
    interface BadFileSink {
        void record(Path file, String reason);
    }

    private static final System.Logger LOG = System.getLogger(DecodePipeline.class.getName());
    private static final long JOIN_TIMEOUT_MILLIS = 10_000;
    private static final Object DECODED = new Object();
    private static final Object END = new Object();

    private record Failed(String reason) {}

    private record Fatal(Throwable error) {}

    private final List<Sample> order;
    private final List<AugmentationDraw> draws; // parallel to order, or null: no augmentation
    private final SampleDecoder decoder;
    private final int tensorSize;
    private final int batchSize;
    private final boolean dropLast;
    private final BadFileSink badFiles;
    private final String name;

    private final int window;
    private final FloatBuffer[] slotData;
    private final AtomicReferenceArray<Object> slotResult;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition filled = lock.newCondition();
    private final Semaphore permits;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final BlockingQueue<Object> ready;
    private final List<Runnable> tasks = new ArrayList<>();
    private final Set<Thread> running =
            new HashSet<>(); // threads running a task now; guarded by itself
    private final CountDownLatch finished;
    private final AtomicInteger skipped = new AtomicInteger();
    private volatile boolean closed;

    DecodePipeline(
            List<Sample> order,
            List<AugmentationDraw> draws,
            SampleDecoder decoder,
            int batchSize,
            boolean dropLast,
            int threadCount,
            int prefetchBatches,
            BadFileSink badFiles,
            String name) {
        this.order = List.copyOf(order);
        if (draws != null && draws.size() != order.size()) {
            throw new IllegalArgumentException(
                    draws.size() + " augmentation draws for " + order.size() + " samples");
        }
        this.draws = draws == null ? null : List.copyOf(draws);
        this.decoder = decoder;
        this.tensorSize = decoder.tensorSize();
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.badFiles = badFiles;
        this.name = name;
        this.window = Math.max(2 * threadCount, Math.min(batchSize, 64));
        this.slotData = new FloatBuffer[window];
        this.slotResult = new AtomicReferenceArray<>(window);
        this.permits = new Semaphore(window);
        this.ready = new ArrayBlockingQueue<>(prefetchBatches);
        int workers = Math.max(1, Math.min(threadCount, this.order.size()));
        for (int k = 0; k < workers; k++) {
            tasks.add(task(this::work, name + "-decode-" + k));
        }
        tasks.add(task(this::assemble, name + "-assemble"));
        this.finished = new CountDownLatch(tasks.size());
    }

    /**
     * Starts the tasks on {@code executor}; called once, right after construction.
     *
     * @throws RejectedExecutionException if the executor is shut down (nothing is left running)
     */
    DecodePipeline start(Executor executor) {
        for (int i = 0; i < tasks.size(); i++) {
            try {
                executor.execute(tasks.get(i));
            } catch (RejectedExecutionException e) {
                for (int k = i; k < tasks.size(); k++) {
                    finished.countDown(); // never started, so never to finish
                }
                run(); // stop the tasks already started
                throw e;
            }
        }
        return this;
    }

    /**
     * The next batch, waiting for it if needed.
     *
     * @return the batch, or {@code null} after the last one
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @throws IllegalStateException if the decoder broke its contract (wrong number of floats)
     * @throws Error if a worker hit an {@link Error}, e.g. a missing native library
     */
    Batch next() throws InterruptedException {
        Object item = ready.take();
        if (item == END) {
            return null;
        }
        if (item instanceof Fatal fatal) {
            if (fatal.error() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(
                    "Batch loading failed in " + name + ": " + fatal.error(), fatal.error());
        }
        return (Batch) item;
    }

    /** Files that failed to decode in this pipeline so far. */
    int skipped() {
        return skipped.get();
    }

    /** Stops all tasks and waits (boundedly) for them to end. Idempotent. */
    @Override
    public void run() {
        synchronized (running) {
            closed = true;
            running.forEach(Thread::interrupt);
        }
        try {
            if (!finished.await(JOIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(
                        Level.WARNING,
                        "{0}: {1} task(s) did not stop within {2} ms (stuck in the decoder?)",
                        name,
                        finished.getCount(),
                        JOIN_TIMEOUT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        ready.clear();
    }

    /**
     * Wraps a task body: names the pool thread after this pipeline while it runs, and registers it
     * so that {@link #run()} interrupts it, and only it: once deregistered, no interrupt meant for
     * this pipeline can reach the thread's next task.
     */
    private Runnable task(Runnable body, String threadName) {
        return () -> {
            Thread thread = Thread.currentThread();
            String idleName = thread.getName();
            synchronized (running) {
                if (closed) {
                    finished.countDown();
                    return;
                }
                running.add(thread);
            }
            thread.setName(threadName);
            try {
                body.run();
            } finally {
                synchronized (running) {
                    running.remove(thread);
                }
                Thread.interrupted(); // a stop request for this task must not outlive it
                thread.setName(idleName);
                finished.countDown();
            }
        };
    }

    private void work() {
        try {
            while (!closed) {
                permits.acquire();
                int index = nextIndex.getAndIncrement();
                if (index >= order.size()) {
                    permits.release();
                    return;
                }
                int slot = index % window;
                Object result;
                try {
                    if (slotData[slot] == null) {
                        // Direct: the preprocessor writes each channel plane straight into it
                        // (a heap array costs a copy and a de-interleaving loop per image, about
                        // 0.2 ms at 160x160: 10-25% of the loader's rate).
                        slotData[slot] =
                                ByteBuffer.allocateDirect(4 * tensorSize)
                                        .order(ByteOrder.nativeOrder())
                                        .asFloatBuffer();
                    }
                    result =
                            decode(
                                    order.get(index).file(),
                                    draws == null ? null : draws.get(index),
                                    slotData[slot]);
                } catch (OutOfMemoryError e) {
                    result = new Fatal(e);
                }
                lock.lock();
                try {
                    slotResult.set(slot, result);
                    filled.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // Closed: exit.
        }
    }

    private Object decode(Path file, AugmentationDraw draw, FloatBuffer target) {
        FloatBuffer dst = target.clear();
        try {
            if (draw == null) {
                decoder.decode(file, dst);
            } else {
                decoder.decode(file, draw, dst);
            }
        } catch (
                UnsupportedOperationException
                        e) { // a decoder that cannot augment: not the file's fault
            return new Fatal(e);
        } catch (BufferOverflowException e) {
            return new Fatal(
                    new IllegalStateException(
                            "The decoder wrote more than tensorSize() = "
                                    + tensorSize
                                    + " floats for "
                                    + file,
                            e));
        } catch (Exception e) {
            return new Failed(reason(e));
        } catch (Throwable t) {
            return new Fatal(t);
        }
        if (dst.position() != tensorSize) {
            return new Fatal(
                    new IllegalStateException(
                            "The decoder wrote "
                                    + dst.position()
                                    + " floats for "
                                    + file
                                    + ", expected tensorSize() = "
                                    + tensorSize));
        }
        return DECODED;
    }

    private static String reason(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private void assemble() {
        try {
            int index = 0;
            int delivered = 0;
            while (index < order.size()) {
                float[] data = new float[batchSize * tensorSize];
                int[] labels = new int[batchSize];
                List<Path> files = new ArrayList<>(batchSize);
                while (files.size() < batchSize && index < order.size()) {
                    int slot = index % window;
                    Object result = awaitSlot(slot);
                    if (closed) {
                        return;
                    }
                    Sample sample = order.get(index);
                    if (result == DECODED) {
                        slotData[slot].get(0, data, files.size() * tensorSize, tensorSize);
                        labels[files.size()] = sample.label();
                        files.add(sample.file());
                    } else if (result instanceof Failed failed) {
                        skipped.incrementAndGet();
                        badFiles.record(sample.file(), failed.reason());
                    } else {
                        ready.put(result);
                        return;
                    }
                    slotResult.set(slot, null);
                    permits.release();
                    index++;
                }
                int size = files.size();
                if (size == 0 || dropLast && size < batchSize) {
                    break;
                }
                if (size < batchSize) {
                    data = Arrays.copyOf(data, size * tensorSize);
                    labels = Arrays.copyOf(labels, size);
                }
                ready.put(new Batch(data, labels, files, size));
                delivered += size;
            }
            if (delivered == 0 && skipped.get() > 0) {
                LOG.log(Level.WARNING, "{0}: all {1} files failed to decode", name, skipped.get());
            }
            ready.put(END);
        } catch (InterruptedException e) {
            if (!closed) { // not our own stop: the loader was closed under an open iterator
                ready.clear();
                ready.offer(
                        new Fatal(
                                new IllegalStateException(
                                        "its BatchLoader was closed while this pass was still"
                                                + " decoding")));
            }
        } catch (RuntimeException | Error e) {
            try {
                ready.put(new Fatal(e));
            } catch (InterruptedException closing) {
                // Closed: exit.
            }
        }
    }

    private Object awaitSlot(int slot) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            Object result;
            while ((result = slotResult.get(slot)) == null && !closed) {
                filled.await();
            }
            return result;
        } finally {
            lock.unlock();
        }
    }
}
