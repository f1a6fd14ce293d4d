package dev.catsdogs.trainer.data;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decoder for tests: files need not exist. The tensor of {@code <label>/<index>.jpg} is {@code
 * [label, index, label]}; files named {@code bad*} throw. Optionally sleeps per file, and counts
 * calls and the most calls running at once.
 */
final class FakeDecoder implements SampleDecoder {

    static final int SIZE = 3;

    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final long sleepMillis;

    FakeDecoder(long sleepMillis) {
        this.sleepMillis = sleepMillis;
    }

    @Override
    public void decode(Path file, FloatBuffer dst) throws Exception {
        calls.incrementAndGet();
        maxConcurrent.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
            String name = file.getFileName().toString();
            if (name.startsWith("bad")) {
                throw new IOException("cannot decode " + name);
            }
            float label = Float.parseFloat(file.getParent().getFileName().toString());
            float index = Float.parseFloat(name.substring(0, name.indexOf('.')));
            dst.put(label).put(index).put(label);
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public int tensorSize() {
        return SIZE;
    }

    /** {@code <root>/<label>/<index>.jpg}, or {@code bad<index>.jpg} for a bad one. */
    static Sample sample(int index, int label, boolean bad) {
        String name = bad ? "bad" + index + ".jpg" : index + ".jpg";
        return new Sample(Path.of("/fake", String.valueOf(label), name), label);
    }
}
