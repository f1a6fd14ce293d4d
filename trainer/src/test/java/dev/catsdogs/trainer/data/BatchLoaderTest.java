package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {

    /** 100 samples, labels alternating, the ones at multiples of 7 bad (15 of them). */
    private static final List<Sample> SAMPLES = samples(100, 7);

    @AfterEach
    void noDecodingThreadIsLeft() {
        assertEquals(List.of(), busyLoaderThreads());
    }

    @Test
    void everyGoodSampleOncePerEpochWithItsOwnTensor() {
        BatchLoader loader = loader(SAMPLES, new FakeDecoder(0), 8, 1).build();

        for (int epoch = 0; epoch < 3; epoch++) {
            List<Path> seen = new ArrayList<>();
            try (BatchIterator batches = loader.epoch(epoch)) {
                for (Batch batch : batches) {
                    for (int i = 0; i < batch.size(); i++) {
                        Path file = batch.files().get(i);
                        int label = Integer.parseInt(file.getParent().getFileName().toString());
                        assertEquals(label, batch.labels()[i]);
                        assertEquals(label, batch.data()[i * 3], 0f);
                        assertEquals(indexOf(file), batch.data()[i * 3 + 1], 0f);
                        seen.add(file);
                    }
                }
            }
            assertEquals(85, seen.size(), "epoch " + epoch);
            assertEquals(goodFiles(SAMPLES), new HashSet<>(seen), "epoch " + epoch);
        }
    }

    @Test
    void batchesAreFullExceptTheLast() {
        BatchLoader loader = loader(SAMPLES, new FakeDecoder(0), 8, 1).build();

        for (int epoch = 0; epoch < 2; epoch++) {
            List<Integer> sizes = new ArrayList<>();
            try (BatchIterator batches = loader.epoch(epoch)) {
                assertEquals(epoch == 0 ? 13 : 11, batches.plannedBatches());
                batches.forEach(b -> sizes.add(b.size()));
            }
            // 85 good samples: 10 batches of 8 and one of 5, in both epochs.
            assertEquals(11, sizes.size(), sizes.toString());
            assertTrue(sizes.subList(0, 10).stream().allMatch(s -> s == 8), sizes.toString());
            assertEquals(5, sizes.get(10));
        }
    }

    @Test
    void lastBatchHasExactlySizeTimesTensorFloats() {
        BatchLoader loader = loader(samples(10, 0), new FakeDecoder(0), 4, 1).build();

        List<Batch> batches = collect(loader.epoch(0));

        assertEquals(List.of(4, 4, 2), batches.stream().map(Batch::size).toList());
        assertEquals(6, batches.get(2).data().length);
        assertEquals(2, batches.get(2).labels().length);
    }

    @Test
    void dropLastDropsOnlyTheEpochsPartialBatch() {
        BatchLoader loader =
                loader(samples(10, 0), new FakeDecoder(0), 4, 1).optDropLast(true).build();

        assertEquals(List.of(4, 4), collect(loader.epoch(0)).stream().map(Batch::size).toList());
        assertEquals(List.of(4, 4, 2), collect(loader.pass()).stream().map(Batch::size).toList());
    }

    @Test
    void badFilesAreSkippedAndRecordedOnce() {
        FakeDecoder decoder = new FakeDecoder(0);
        BatchLoader loader = loader(SAMPLES, decoder, 8, 1).build();

        int firstEpochSkips;
        try (BatchIterator batches = loader.epoch(0)) {
            batches.forEach(b -> {});
            firstEpochSkips = batches.skipped();
        }
        List<SkippedFile> afterOne = loader.skipped();
        int callsAfterOne = decoder.calls.get();
        int laterSkips;
        try (BatchIterator batches = loader.epoch(1)) {
            batches.forEach(b -> {});
            laterSkips = batches.skipped();
        }
        int callsInEpochTwo = decoder.calls.get() - callsAfterOne;
        collect(loader.pass());

        assertEquals(15, firstEpochSkips);
        assertEquals(0, laterSkips);
        assertEquals(15, loader.skippedCount());
        assertEquals(afterOne, loader.skipped());
        assertEquals(85, callsInEpochTwo, "bad files are not decoded again");
        assertEquals(85 + 85, decoder.calls.get() - callsAfterOne, "nor in a pass");
        Set<Path> bad = new HashSet<>();
        for (SkippedFile skipped : loader.skipped()) {
            assertTrue(
                    skipped.path().getFileName().toString().startsWith("bad"), skipped.toString());
            assertEquals("cannot decode " + skipped.path().getFileName(), skipped.reason());
            assertTrue(bad.add(skipped.path()), "recorded once: " + skipped);
        }
    }

    @Test
    void orderChangesEveryEpochAndIsReproducibleFromTheSeed() {
        List<Sample> good = samples(64, 0);
        List<List<Path>> run1 =
                epochs(loader(good, new FakeDecoder(0), 10, 3).optSeed(11).build(), 3);
        List<List<Path>> run2 =
                epochs(loader(good, new FakeDecoder(0), 10, 1).optSeed(11).build(), 3);
        List<List<Path>> other =
                epochs(loader(good, new FakeDecoder(0), 10, 2).optSeed(12).build(), 3);

        assertEquals(run1, run2, "same seed, different thread counts");
        assertNotEquals(run1.get(0), run1.get(1));
        assertNotEquals(run1.get(1), run1.get(2));
        assertNotEquals(run1.get(0), other.get(0));
        assertEquals(new HashSet<>(run1.get(0)), new HashSet<>(run1.get(1)));
    }

    @Test
    void epochOrderDoesNotDependOnEarlierEpochsOrKnownBadFiles() {
        BatchLoader fresh = loader(SAMPLES, new FakeDecoder(0), 8, 2).optSeed(3).build();
        BatchLoader used = loader(SAMPLES, new FakeDecoder(0), 8, 2).optSeed(3).build();
        epochs(used, 2);

        assertEquals(files(collect(fresh.epoch(2))), files(collect(used.epoch(2))));
    }

    @Test
    void noShuffleAndPassKeepTheGivenOrder() {
        List<Sample> good = samples(30, 0);
        List<Path> given = good.stream().map(Sample::file).toList();
        BatchLoader loader =
                loader(good, new FakeDecoder(0), 7, 4).optShuffle(ShuffleMode.NONE).build();
        BatchLoader shuffling = loader(good, new FakeDecoder(0), 7, 4).build();

        assertEquals(given, files(collect(loader.epoch(0))));
        assertEquals(given, files(collect(loader.epoch(1))));
        assertEquals(given, files(collect(shuffling.pass())));
        assertNotEquals(given, files(collect(shuffling.epoch(0))));
    }

    @Test
    void decodesInParallel() {
        FakeDecoder decoder = new FakeDecoder(20);
        BatchLoader loader = loader(samples(24, 0), decoder, 4, 4).build();

        assertEquals(24, files(collect(loader.epoch(0))).size());

        assertTrue(
                decoder.maxConcurrent.get() >= 2,
                "max concurrent decodes " + decoder.maxConcurrent.get());
    }

    @Test
    void prefetchIsBounded() throws InterruptedException {
        FakeDecoder decoder = new FakeDecoder(0);
        BatchLoader loader = loader(samples(1000, 0), decoder, 4, 2).optPrefetchBatches(2).build();

        try (BatchIterator batches = loader.epoch(0)) {
            for (int wait = 0; wait < 500 && decoder.calls.get() < 8; wait++) {
                Thread.sleep(10);
            }
            assertTrue(decoder.calls.get() >= 8, "prefetched: " + decoder.calls.get());
            Thread.sleep(300);
            // 2 queued batches + 1 being assembled + a window of max(2 * 2, 4) decoded samples.
            assertTrue(
                    decoder.calls.get() <= 2 * 4 + 4 + 4, "decoded ahead: " + decoder.calls.get());
            assertTrue(batches.hasNext());
        }
    }

    @Test
    void closingEarlyStopsTheThreads() {
        BatchLoader loader = loader(samples(500, 0), new FakeDecoder(2), 8, 4).build();

        try (BatchIterator batches = loader.epoch(0)) {
            batches.next();
            batches.next();
            assertFalse(busyLoaderThreads().isEmpty(), "threads run while iterating");
        }

        assertEquals(List.of(), busyLoaderThreads());
    }

    @Test
    void anExceptionInTheConsumerStopsTheThreads() {
        BatchLoader loader = loader(samples(500, 0), new FakeDecoder(2), 8, 4).build();

        assertThrows(
                ArithmeticException.class,
                () -> {
                    try (BatchIterator batches = loader.epoch(0)) {
                        for (Batch batch : batches) {
                            if (batch.size() > 0) {
                                throw new ArithmeticException("loss is NaN");
                            }
                        }
                    }
                });

        assertEquals(List.of(), busyLoaderThreads());
    }

    @Test
    void abandonedIteratorsAreStoppedWhenCollected() throws InterruptedException {
        BatchLoader loader = loader(samples(500, 0), new FakeDecoder(0), 8, 2).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            loader.epoch(epoch).next(); // never closed
        }
        assertFalse(busyLoaderThreads().isEmpty());

        for (int attempt = 0; attempt < 50 && !busyLoaderThreads().isEmpty(); attempt++) {
            System.gc();
            Thread.sleep(100);
        }

        assertEquals(List.of(), busyLoaderThreads());
    }

    @Test
    void passesReuseTheLoadersThreadsAndCloseEndsThem() throws InterruptedException {
        BatchLoader loader = loader(samples(64, 0), new FakeDecoder(0), 8, 2).build();
        String prefix = loader.name() + "-";
        for (int epoch = 0; epoch < 5; epoch++) {
            assertEquals(64, files(collect(loader.epoch(epoch))).size());
        }
        List<String> threads = threadsStartingWith(prefix);
        assertFalse(threads.isEmpty(), "idle threads wait for the next pass");
        assertTrue(
                threads.size() <= 3 + 3,
                "5 passes of 2 workers + 1 assembler share the threads, not 15 new ones: "
                        + threads);

        BatchIterator open = loader.pass();
        open.next(); // left open: close() must stop it too
        loader.close();
        loader.close(); // idempotent
        assertEquals(
                List.of(), threadsStartingWith(prefix), "close() ends every thread of the loader");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loader.epoch(5));
        assertTrue(e.getMessage().contains("was closed"), e.getMessage());
        assertThrows(
                IllegalStateException.class,
                () -> {
                    while (open.hasNext()) {
                        open.next();
                    }
                },
                "an iterator whose loader was closed fails instead of waiting forever");
        open.close();
    }

    @Test
    void useAfterCloseAndSecondIterationAreErrors() {
        BatchLoader loader = loader(samples(50, 0), new FakeDecoder(0), 8, 2).build();
        BatchIterator batches = loader.epoch(0);
        batches.iterator();
        assertThrows(IllegalStateException.class, batches::iterator);
        batches.close();
        batches.close();

        IllegalStateException e = assertThrows(IllegalStateException.class, batches::next);
        assertTrue(e.getMessage().contains("after close()"), e.getMessage());
    }

    @Test
    void aDecoderThatBreaksItsContractFailsTheEpoch() {
        SampleDecoder shortWrite = SampleDecoder.of(3, (file, dst) -> dst.put(1f));
        BatchLoader loader = loader(samples(10, 0), shortWrite, 4, 2).build();

        try (BatchIterator batches = loader.epoch(0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, batches::hasNext);
            assertTrue(e.getMessage().contains("wrote 1 floats"), e.getMessage());
            assertTrue(e.getMessage().contains("expected tensorSize() = 3"), e.getMessage());
        }
        assertEquals(0, loader.skippedCount(), "a decoder bug is not a bad file");
    }

    @Test
    void allBadGivesNoBatchesNotACrash() {
        List<Sample> bad = List.of(FakeDecoder.sample(0, 0, true), FakeDecoder.sample(1, 1, true));
        BatchLoader loader = loader(bad, new FakeDecoder(0), 4, 2).build();

        assertEquals(List.of(), collect(loader.epoch(0)));
        assertEquals(2, loader.skippedCount());
        assertEquals(List.of(), collect(loader.pass()));
    }

    @Test
    void emptyInputGivesNoBatches() {
        assertEquals(
                List.of(), collect(loader(List.of(), new FakeDecoder(0), 4, 2).build().epoch(0)));
    }

    @Test
    void rejectsBadSettings() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> loader(SAMPLES, new FakeDecoder(0), 0, 1));
        assertTrue(e.getMessage().contains("Received batchSize=0; expected >= 1"), e.getMessage());
        BatchLoader loader = loader(SAMPLES, new FakeDecoder(0), 4, 1).build();
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(-1));
    }

    private static BatchLoader.Builder loader(
            List<Sample> samples, SampleDecoder decoder, int batchSize, int threads) {
        return BatchLoader.builder(samples, decoder).optBatchSize(batchSize).optThreads(threads);
    }

    static List<Batch> collect(BatchIterator iterator) {
        List<Batch> batches = new ArrayList<>();
        try (iterator) {
            iterator.forEach(batches::add);
        }
        return batches;
    }

    private static List<List<Path>> epochs(BatchLoader loader, int count) {
        List<List<Path>> epochs = new ArrayList<>();
        for (int epoch = 0; epoch < count; epoch++) {
            epochs.add(files(collect(loader.epoch(epoch))));
        }
        return epochs;
    }

    private static List<Path> files(List<Batch> batches) {
        return batches.stream().flatMap(b -> b.files().stream()).toList();
    }

    private static List<Sample> samples(int count, int badEvery) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(FakeDecoder.sample(i, i % 2, badEvery > 0 && i % badEvery == 0));
        }
        return samples;
    }

    private static Set<Path> goodFiles(List<Sample> samples) {
        Set<Path> good = new HashSet<>();
        samples.stream()
                .map(Sample::file)
                .filter(f -> !f.getFileName().toString().startsWith("bad"))
                .forEach(good::add);
        return good;
    }

    private static float indexOf(Path file) {
        String name = file.getFileName().toString();
        return Float.parseFloat(name.substring(0, name.indexOf('.')));
    }

    /** Loader threads running a pass's task (idle pool threads are named {@code ...-idle-N}). */
    static List<String> busyLoaderThreads() {
        return threadsStartingWith(BatchLoader.THREAD_NAME_PREFIX).stream()
                .filter(name -> !name.contains("-idle-"))
                .toList();
    }

    private static List<String> threadsStartingWith(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .toList();
    }
}
