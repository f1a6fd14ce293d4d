package dev.catsdogs.inference.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

/**
 * Ctrl-C (and SIGTERM) reach the command as a stop request and the JVM keeps running (no shutdown,
 * so no other shutdown hook can free native memory under a running ONNX Runtime session).
 */
class InterruptSignalTest {

    @Test
    void aStopSignalRequestsAStopInsteadOfShuttingDown() throws Exception {
        AtomicInteger stops = new AtomicInteger();
        CountDownLatch stopped = new CountDownLatch(1);
        try (InterruptSignal signal =
                InterruptSignal.install(
                        () -> {
                            stops.incrementAndGet();
                            stopped.countDown();
                        })) {
            // SIGTERM, handled as SIGINT is: a test run in a background job has SIGINT ignored, and
            // then the JVM may not handle it (install skips it rather than failing).
            Signal.raise(new Signal("TERM"));
            stopped.await(10, TimeUnit.SECONDS);
        }
        assertEquals(1, stops.get(), "the stop request ran once, and this JVM is still here");
    }
}
