package dev.catsdogs.trainer.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The one process writing a run directory: an exclusive lock on its {@value #FILE} file, held from
 * before the first file is written until {@link #close()}. The operating system releases it when
 * the process ends in any way (a crash or {@code kill -9} included), so a lock is never stale; the
 * file itself stays, empty of meaning, and the next run reuses it. It holds the holder's process
 * id, command and start, which a refused second process prints.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file in the run directory. */
    public static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, an existing directory, for {@code command} (e.g. {@code train}).
     *
     * @throws IllegalStateException naming the holder when another process (or this one) holds it
     */
    public static RunLock acquire(Path dir, String command) throws IOException {
        Path file = dir.resolve(FILE);
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) { // this JVM holds it already
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException(
                    dir
                            + ": in use by "
                            + holder(file)
                            + "; wait for it to finish, or choose another directory");
        }
        try {
            String holder =
                    "pid "
                            + ProcessHandle.current().pid()
                            + " (catsdogs "
                            + command
                            + ", since "
                            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                            + ")\n";
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new RunLock(channel, lock);
    }

    // What the holder wrote; it may not have written yet.
    private static String holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "another process" : text;
        } catch (IOException e) {
            return "another process";
        }
    }

    /** Releases the lock; idempotent. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
