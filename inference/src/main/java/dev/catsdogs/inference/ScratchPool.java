package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.Arguments;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A bounded pool of reusable native scratch, owned by one preprocessor or classifier. A call
 * borrows a set and gives it back; a set is made when none is idle, and one given back when {@code
 * maxIdle} are already idle is released at once, so idle scratch never exceeds {@code maxIdle} sets
 * however many threads came by. Unlike a {@code ThreadLocal}, nothing outlives {@link #close()}
 * waiting for the garbage collector: close releases every idle set, and a set given back after
 * close is released on return.
 *
 * <p>Thread-safe.
 */
final class ScratchPool<T> implements AutoCloseable {

    private final String owner;
    private final int maxIdle;
    private final Supplier<T> factory;
    private final Consumer<T> releaser;
    private final ArrayDeque<T> idle = new ArrayDeque<>();
    private int live; // made and not yet released, idle or borrowed; guarded by idle
    private boolean closed; // guarded by idle

    /**
     * @param owner names the owner in the message of calls after close
     * @param maxIdle most sets kept for reuse, {@code >= 1}
     */
    ScratchPool(String owner, int maxIdle, Supplier<T> factory, Consumer<T> releaser) {
        if (maxIdle < 1) {
            throw Arguments.received("maxIdle", maxIdle, ">= 1");
        }
        this.owner = owner;
        this.maxIdle = maxIdle;
        this.factory = factory;
        this.releaser = releaser;
    }

    /**
     * An idle set, or a new one.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    T borrow(String method) {
        synchronized (idle) {
            if (closed) {
                throw new IllegalStateException(
                        method + " called on a closed " + owner + "; build a new one");
            }
            T set = idle.pollFirst();
            if (set != null) {
                return set;
            }
            live++; // counted before it exists, so close() never misses one being made
        }
        try {
            return factory.get();
        } catch (RuntimeException | Error e) {
            synchronized (idle) {
                live--;
            }
            throw e;
        }
    }

    /** Takes back a borrowed set: kept for reuse, or released when full or closed. */
    void giveBack(T set) {
        synchronized (idle) {
            if (!closed && idle.size() < maxIdle) {
                idle.addFirst(set); // most recently used first: its memory is likely still warm
                return;
            }
            live--;
        }
        releaser.accept(set);
    }

    /** Sets made and not yet released, idle or borrowed. */
    int live() {
        synchronized (idle) {
            return live;
        }
    }

    /** Sets waiting for reuse. */
    int idle() {
        synchronized (idle) {
            return idle.size();
        }
    }

    /** Releases every idle set; borrowed ones are released when given back. Idempotent. */
    @Override
    public void close() {
        ArrayDeque<T> toRelease;
        synchronized (idle) {
            if (closed) {
                return;
            }
            closed = true;
            toRelease = new ArrayDeque<>(idle);
            live -= idle.size();
            idle.clear();
        }
        RuntimeException failure = null;
        for (T set : toRelease) {
            try {
                releaser.accept(set);
            } catch (RuntimeException e) { // release the rest regardless, then report
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    boolean isClosed() {
        synchronized (idle) {
            return closed;
        }
    }
}
