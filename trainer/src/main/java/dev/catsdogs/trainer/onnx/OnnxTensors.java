package dev.catsdogs.trainer.onnx;

import ai.onnx.proto.OnnxMl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decodes ONNX {@code TensorProto} payloads (raw or typed fields) to floats. */
final class OnnxTensors {

    private OnnxTensors() {}

    /** Element count of a tensor from its dims. */
    static long size(OnnxMl.TensorProto tensor) {
        long n = 1;
        for (long d : tensor.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** Values of a FLOAT, INT8, UINT8, INT32 or INT64 tensor as floats. */
    static float[] toFloats(OnnxMl.TensorProto t) {
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException(
                    "tensor '"
                            + t.getName()
                            + "' keeps its data in an external file, "
                            + "which is not supported; re-save the model with all tensors inside");
        }
        int n = Math.toIntExact(size(t));
        float[] out = new float[n];
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        switch (t.getDataType()) {
            case 1 -> { // FLOAT
                for (int i = 0; i < n; i++) {
                    out[i] = hasRaw ? raw.getFloat() : t.getFloatData(i);
                }
            }
            case 2 -> { // UINT8
                for (int i = 0; i < n; i++) {
                    out[i] = hasRaw ? (raw.get() & 0xFF) : t.getInt32Data(i);
                }
            }
            case 3 -> { // INT8
                for (int i = 0; i < n; i++) {
                    out[i] = hasRaw ? raw.get() : t.getInt32Data(i);
                }
            }
            case 6 -> { // INT32
                for (int i = 0; i < n; i++) {
                    out[i] = hasRaw ? raw.getInt() : t.getInt32Data(i);
                }
            }
            case 7 -> { // INT64
                for (int i = 0; i < n; i++) {
                    out[i] = hasRaw ? raw.getLong() : t.getInt64Data(i);
                }
            }
            default ->
                    throw new IllegalArgumentException(
                            "tensor '"
                                    + t.getName()
                                    + "' has data type "
                                    + t.getDataType()
                                    + "; expected one of FLOAT(1), UINT8(2), INT8(3), INT32(6),"
                                    + " INT64(7)");
        }
        return out;
    }
}
