package dev.catsdogs.trainer.feed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.train.TrainingFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A cache within its budget lives on the training device and serves exactly the batches the host
 * store serves (values, labels, order); a cache over the budget falls back to the host store. Here
 * the device is the CPU: the same code path as on a GPU.
 */
class DeviceCacheTest {

    private static final int SIZE = 32;
    private static final long[] SAMPLE = {3, 2, 5};

    @Test
    void deviceAndHostStorageServeTheSameRandomRows() {
        int rows = 37;
        int rowSize = CacheStorage.sampleSize(SAMPLE);
        Random random = new Random(3);
        float[] values = new float[rows * rowSize];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager();
                CacheStorage device =
                        CacheStorage.create(rows, SAMPLE, 4L * values.length, manager);
                CacheStorage host =
                        CacheStorage.create(rows, SAMPLE, 4L * values.length - 1, manager)) {
            assertTrue(device.onDevice(), device.location());
            assertTrue(device.location().startsWith("device (cpu()), 0.0 MB"), device.location());
            assertFalse(host.onDevice(), host.location());
            assertTrue(host.spilled(), "one byte over the budget spills: " + host.location());
            // Written in batches of 5, one of them in scattered order.
            List<Integer> order = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                order.add(r);
            }
            java.util.Collections.swap(order, 5, 8);
            for (int from = 0; from < rows; from += 5) {
                int[] batch =
                        order.subList(from, Math.min(rows, from + 5)).stream()
                                .mapToInt(Integer::intValue)
                                .toArray();
                float[] data = new float[batch.length * rowSize];
                for (int i = 0; i < batch.length; i++) {
                    System.arraycopy(values, batch[i] * rowSize, data, i * rowSize, rowSize);
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray activations = scope.create(data, new Shape(batch.length, rowSize));
                    device.put(batch, activations);
                    host.put(batch, activations);
                }
            }
            for (int trial = 0; trial < 5; trial++) {
                int[] wanted = random.ints(1 + random.nextInt(9), 0, rows).toArray();
                int[] labels = random.ints(wanted.length, 0, 2).toArray();
                float[] expected = new float[wanted.length * rowSize];
                for (int i = 0; i < wanted.length; i++) {
                    System.arraycopy(values, wanted[i] * rowSize, expected, i * rowSize, rowSize);
                }
                Feed.Batch d = device.batch(wanted, labels);
                Feed.Batch h = host.batch(wanted, labels);
                assertTrue(h instanceof Feed.HostBatch, "the host store copies: " + h);
                assertFalse(d instanceof Feed.HostBatch, "the device store gathers: " + d);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray onDevice = d.input(scope);
                    NDArray fromHost = h.input(scope);
                    Shape shape = new Shape(wanted.length, 3, 2, 5);
                    assertEquals(shape, onDevice.getShape());
                    assertEquals(shape, fromHost.getShape());
                    assertArrayEquals(expected, onDevice.toFloatArray(), "rows " + wanted);
                    assertArrayEquals(expected, fromHost.toFloatArray(), "rows " + wanted);
                }
                assertArrayEquals(labels, d.labels());
                assertEquals(wanted.length, d.size());
            }
        }
    }

    @Test
    void deviceFeedServesTheHostFeedsBatches() throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
                ImagePreprocessor pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(SIZE));
                BatchLoader plain = loader(pre, Augmentation.NONE);
                BatchLoader augmented = loader(pre, Augmentation.parse("flip,rotate=0.2"))) {
            TransferNetwork network = TransferNetwork.create(SIZE, 2);
            int before = manager.getManagedArrays().size();
            for (BatchLoader loader : List.of(plain, augmented)) {
                int views = loader == plain ? 1 : 2;
                long bytes = 4L * views * loader.size() * 3 * SIZE * SIZE;
                try (CachedFeed device = compute(loader, network, manager, bytes, views);
                        CachedFeed host = compute(loader, network, manager, bytes - 1, views)) {
                    assertTrue(device.onDevice(), device.location());
                    assertFalse(host.onDevice(), host.location());
                    assertTrue(host.spilled(), host.location());
                    assertTrue(host.location().startsWith("host, "), host.location());
                    int built = manager.getManagedArrays().size();
                    for (int epoch = 0; epoch < 3; epoch++) {
                        assertSameBatches(manager, host.epoch(epoch), device.epoch(epoch));
                    }
                    assertSameBatches(
                            manager, host.pass(Integer.MAX_VALUE), device.pass(Integer.MAX_VALUE));
                    assertEquals(
                            built,
                            manager.getManagedArrays().size(),
                            "the batches' arrays are closed with their scopes");
                }
                assertEquals(
                        before,
                        manager.getManagedArrays().size(),
                        "closing the feed frees its device cache");
            }
        }
    }

    private static CachedFeed compute(
            BatchLoader loader,
            TransferNetwork network,
            NDManager manager,
            long budget,
            int views) {
        return CachedFeed.compute(loader, network, 0, manager, SIZE, budget, views, 7, n -> {});
    }

    /** The same batches in the same order: labels, shapes and values. */
    private static void assertSameBatches(
            NDManager manager, Feed.Batches expected, Feed.Batches actual) {
        try (expected;
                actual) {
            assertEquals(expected.plannedBatches(), actual.plannedBatches());
            int batches = 0;
            while (expected.hasNext()) {
                assertTrue(actual.hasNext(), "the device feed ended at batch " + batches);
                Feed.Batch e = expected.next();
                Feed.Batch a = actual.next();
                assertArrayEquals(e.labels(), a.labels(), "labels of batch " + batches);
                assertEquals(e.size(), a.size());
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = e.input(scope);
                    NDArray y = a.input(scope);
                    assertEquals(x.getShape(), y.getShape());
                    assertArrayEquals(x.toFloatArray(), y.toFloatArray(), "batch " + batches);
                }
                batches++;
            }
            assertFalse(actual.hasNext(), "the device feed has more batches");
            assertTrue(batches > 1, "batches: " + batches);
        }
    }

    private static BatchLoader loader(ImagePreprocessor pre, Augmentation augmentation) {
        return BatchLoader.builder(TrainingFixture.samples(4, 30), SampleDecoder.of(pre))
                .optBatchSize(3)
                .optSeed(11)
                .optThreads(2)
                .optAugmentation(augmentation)
                .build();
    }
}
