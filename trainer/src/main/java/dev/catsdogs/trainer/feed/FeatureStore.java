package dev.catsdogs.trainer.feed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-size float rows (one cached activation per image), kept in native memory up to a byte
 * budget and in a memory-mapped temporary file beyond it, so a large cache never exhausts RAM.
 */
public final class FeatureStore implements AutoCloseable {

    private static final long CHUNK_BYTES = 1L << 30;

    private final int rowSize;
    private final int rows;
    private final int rowsPerChunk;
    private final List<FloatBuffer> chunks = new ArrayList<>();
    private final long inMemoryBytes;
    private FileChannel spill;
    private Path spillFile;

    /**
     * @param rows number of rows
     * @param rowSize floats per row
     * @param memoryBudgetBytes bytes kept in memory; the rest is memory-mapped from a temp file
     */
    public FeatureStore(int rows, int rowSize, long memoryBudgetBytes) {
        this.rows = rows;
        this.rowSize = rowSize;
        long rowBytes = 4L * rowSize;
        rowsPerChunk = (int) Math.max(1, CHUNK_BYTES / rowBytes);
        long memory = 0;
        try {
            for (int start = 0; start < rows; start += rowsPerChunk) {
                long bytes = rowBytes * Math.min(rowsPerChunk, rows - start);
                ByteBuffer buffer;
                if (memory + bytes <= memoryBudgetBytes) {
                    buffer = ByteBuffer.allocateDirect((int) bytes);
                    memory += bytes;
                } else {
                    buffer = mapSpill(start * rowBytes, bytes);
                }
                chunks.add(buffer.order(ByteOrder.nativeOrder()).asFloatBuffer());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(
                    "Cannot create the feature cache's spill file: " + e.getMessage(), e);
        }
        inMemoryBytes = memory;
    }

    private ByteBuffer mapSpill(long offset, long bytes) throws IOException {
        if (spill == null) {
            spillFile = Files.createTempFile("catsdogs-feature-cache", ".bin");
            spillFile.toFile().deleteOnExit();
            spill =
                    FileChannel.open(
                            spillFile,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.DELETE_ON_CLOSE);
        }
        return spill.map(FileChannel.MapMode.READ_WRITE, offset, bytes);
    }

    public int rows() {
        return rows;
    }

    public int rowSize() {
        return rowSize;
    }

    /** Bytes held in native memory (the rest is in the spill file). */
    public long inMemoryBytes() {
        return inMemoryBytes;
    }

    /** Whether part of the store lives in a memory-mapped file. */
    public boolean spilled() {
        return spill != null;
    }

    /** Copies {@code rowSize} floats from {@code src[offset..]} into row {@code row}. */
    public void put(int row, float[] src, int offset) {
        FloatBuffer chunk = chunks.get(row / rowsPerChunk).duplicate();
        chunk.position((row % rowsPerChunk) * rowSize);
        chunk.put(src, offset, rowSize);
    }

    /** Copies row {@code row} into {@code dst[offset..]}. */
    public void get(int row, float[] dst, int offset) {
        FloatBuffer chunk = chunks.get(row / rowsPerChunk).duplicate();
        chunk.position((row % rowsPerChunk) * rowSize);
        chunk.get(dst, offset, rowSize);
    }

    @Override
    public void close() {
        chunks.clear();
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException ignored) {
                // deleteOnExit still removes the file
            }
            spill = null;
        }
    }
}
