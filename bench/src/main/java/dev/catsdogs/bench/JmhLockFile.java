package dev.catsdogs.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JMH's machine-wide lock file, {@code $java.io.tmpdir/jmh.lock}, which JMH creates and never
 * removes (it keeps two JMH runs from measuring each other). A bench that found no such file
 * removes it afterwards, unless another JMH run holds it at that moment: the bench leaves nothing
 * behind in the temporary directory.
 */
final class JmhLockFile implements AutoCloseable {

    private final Path file;
    private final boolean existedBefore;

    /** Notes whether {@code file}, JMH's lock file, exists now. */
    JmhLockFile(Path file) {
        this.file = file;
        this.existedBefore = Files.exists(file);
    }

    /** Notes whether the lock file exists before JMH runs. */
    static JmhLockFile beforeRuns() {
        return new JmhLockFile(Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock"));
    }

    /** Removes the lock file if this bench's JMH runs created it and no other run holds it now. */
    @Override
    public void close() {
        if (existedBefore || !Files.exists(file)) {
            return;
        }
        try (FileChannel channel = new RandomAccessFile(file.toFile(), "rw").getChannel();
                FileLock lock = channel.tryLock()) {
            if (lock != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | OverlappingFileLockException e) {
            // Another JMH run owns it (in this JVM: the overlap); leaving JMH's own file is
            // harmless.
        }
    }
}
