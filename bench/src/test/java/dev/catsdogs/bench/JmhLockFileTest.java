package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench removes JMH's lock file only when its own runs created it and nobody holds it. */
class JmhLockFileTest {

    @TempDir Path dir;

    @Test
    void aLockFileTheRunsCreatedIsRemoved() throws Exception {
        Path file = dir.resolve("jmh.lock");
        try (JmhLockFile lockFile = new JmhLockFile(file)) {
            Files.createFile(file); // what JMH's Runner does
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void aLockFileThatWasThereBeforeStays() throws Exception {
        Path file = Files.createFile(dir.resolve("jmh.lock"));
        new JmhLockFile(file).close();
        assertTrue(Files.exists(file));
    }

    @Test
    void aLockFileAnotherRunHoldsStays() throws Exception {
        Path file = dir.resolve("jmh.lock");
        JmhLockFile lockFile = new JmhLockFile(file);
        try (FileChannel channel = new RandomAccessFile(file.toFile(), "rw").getChannel();
                FileLock held = channel.lock()) {
            lockFile.close();
            assertTrue(Files.exists(file));
        }
    }
}
