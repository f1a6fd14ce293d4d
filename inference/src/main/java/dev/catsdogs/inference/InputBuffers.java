package dev.catsdogs.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One call's direct, native-order input buffers, pooled by the classifier, reused across runs and
 * grown when a bigger batch comes. ONNX Runtime reads direct buffers in place, so no copy is made
 * per run.
 */
final class InputBuffers {

    private FloatBuffer floats = allocate(0).asFloatBuffer();
    private ByteBuffer bytes = allocate(0);

    /** The float buffer with position 0 and limit {@code count}. */
    FloatBuffer floats(int count) {
        if (floats.capacity() < count) {
            floats = allocate(4L * count).asFloatBuffer();
        }
        floats.clear().limit(count);
        return floats;
    }

    /** Rounds {@code src[0..count)} (0..255 floats) to uint8 in the byte buffer, position 0. */
    ByteBuffer toUint8(FloatBuffer src, int count) {
        if (bytes.capacity() < count) {
            bytes = allocate(count);
        }
        bytes.clear().limit(count);
        for (int i = 0; i < count; i++) {
            bytes.put(i, (byte) Math.max(0, Math.min(255, Math.round(src.get(i)))));
        }
        return bytes;
    }

    /** Drops the buffers (direct memory goes back with the next GC); the set is unusable after. */
    void release() {
        floats = allocate(0).asFloatBuffer();
        bytes = allocate(0);
    }

    private static ByteBuffer allocate(long size) {
        return ByteBuffer.allocateDirect(Math.toIntExact(size)).order(ByteOrder.nativeOrder());
    }
}
