package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

/**
 * Ctrl-C reaches the command as a stop request and the JVM keeps running (no shutdown, so no other
 * shutdown hook can free native memory under a running ONNX Runtime session).
 */
class InterruptSignalTest {

    @Test
    void sigintRequestsAStopInsteadOfShuttingDown() throws Exception {
        AtomicInteger stops = new AtomicInteger();
        CountDownLatch stopped = new CountDownLatch(1);
        try (InterruptSignal signal =
                InterruptSignal.install(
                        () -> {
                            stops.incrementAndGet();
                            stopped.countDown();
                        })) {
            Signal.raise(new Signal("INT"));
            stopped.await(10, TimeUnit.SECONDS);
        }
        assertEquals(1, stops.get(), "the stop request ran once, and this JVM is still here");
    }
}
