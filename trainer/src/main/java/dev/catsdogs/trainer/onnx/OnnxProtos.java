package dev.catsdogs.trainer.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one set of helpers for ONNX protobuf messages: reading attributes and tensor payloads (raw or
 * typed fields), and building attributes and value infos. The weight import, the exporter and the
 * benchmarks' graph tools all use these.
 */
public final class OnnxProtos {

    private OnnxProtos() {}

    /** The named attribute of a node, or null. */
    public static OnnxMl.AttributeProto attribute(OnnxMl.NodeProto node, String name) {
        for (OnnxMl.AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    /** An INT attribute, or {@code fallback} when the node has none of that name. */
    public static long intAttribute(OnnxMl.NodeProto node, String name, long fallback) {
        OnnxMl.AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getI();
    }

    /** A FLOAT attribute, or {@code fallback}. */
    public static float floatAttribute(OnnxMl.NodeProto node, String name, float fallback) {
        OnnxMl.AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getF();
    }

    /** An INTS attribute, or null. */
    public static long[] intsAttribute(OnnxMl.NodeProto node, String name) {
        OnnxMl.AttributeProto a = attribute(node, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    public static OnnxMl.AttributeProto floatAttr(String name, float value) {
        return OnnxMl.AttributeProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    public static OnnxMl.AttributeProto intsAttr(String name, long... values) {
        OnnxMl.AttributeProto.Builder a =
                OnnxMl.AttributeProto.newBuilder()
                        .setName(name)
                        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /**
     * A graph input or output: a tensor of {@code elemType} whose negative dims are the symbolic
     * dimension {@code symbol} (a dynamic batch).
     */
    public static OnnxMl.ValueInfoProto valueInfo(
            String name, int elemType, String symbol, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(
                    d < 0
                            ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(symbol)
                            : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        OnnxMl.TypeProto.newBuilder()
                                .setTensorType(
                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(elemType)
                                                .setShape(shape)))
                .build();
    }

    /** A tensor's dims. */
    public static long[] dims(OnnxMl.TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** Element count of a tensor from its dims. */
    public static long size(OnnxMl.TensorProto tensor) {
        long n = 1;
        for (long d : tensor.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** A FLOAT tensor with raw little-endian data; no dims makes it a scalar. */
    public static OnnxMl.TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder t =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                        .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** Values of a FLOAT, INT8, UINT8, INT32 or INT64 tensor as floats. */
    public static float[] toFloats(OnnxMl.TensorProto t) {
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
