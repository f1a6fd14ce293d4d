package dev.catsdogs.bench;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.catsdogs.trainer.onnx.OnnxProtos;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A small ONNX graph built with the {@code OnnxMl} builders, for the MAC counter's tests. */
final class TinyGraph {

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("tiny");

    /** A float input; a negative dimension is symbolic ({@code "N"}). */
    TinyGraph input(String name, long... dims) {
        graph.addInput(PeakMatMul.floatValue(name, dims));
        return this;
    }

    /** A zero float weight of the given shape (values do not matter for MACs). */
    TinyGraph weight(String name, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        OnnxMl.TensorProto.Builder t =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setRawData(ByteString.copyFrom(new byte[(int) (4 * n)]));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return this;
    }

    /** An INT64 constant stored as little-endian raw bytes, as exporters write it. */
    TinyGraph int64(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                        .addDims(values.length)
                        .setRawData(ByteString.copyFrom(raw.array())));
        return this;
    }

    /** A node whose output is named after the node. */
    TinyGraph node(String op, String name, String[] inputs, OnnxMl.AttributeProto... attributes) {
        OnnxMl.NodeProto.Builder n =
                OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (OnnxMl.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    OnnxMl.ModelProto build() {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
    }

    static String[] in(String... names) {
        return names;
    }

    static OnnxMl.AttributeProto ints(String name, long... values) {
        return OnnxProtos.intsAttr(name, values);
    }

    static OnnxMl.AttributeProto integer(String name, long value) {
        return OnnxProtos.intAttr(name, value);
    }

    static OnnxMl.AttributeProto string(String name, String value) {
        return OnnxProtos.stringAttr(name, value);
    }
}
