package dev.catsdogs.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

class OpenCvLoaderTest {

    @Test
    void loadsOnceAcrossManyCallsAndThreads() throws Exception {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    for (int i = 0; i < 200; i++) {
                                        OpenCvLoader.ensureLoaded();
                                    }
                                    return null;
                                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        OpenCvLoader.ensureLoaded();
        assertEquals(1, OpenCvLoader.loadCount(), "natives loaded exactly once per JVM");

        assertTrue(Core.VERSION.startsWith("4.9"), Core.VERSION);
        Mat mat = new Mat(2, 3, CvType.CV_8UC3);
        try {
            assertEquals(6, mat.total());
        } finally {
            mat.release();
        }
    }
}
