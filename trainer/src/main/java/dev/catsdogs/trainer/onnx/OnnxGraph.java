package dev.catsdogs.trainer.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read-only view of an ONNX graph for weight import: who produces and who consumes each value, and
 * the constant value of weights, whether stored plainly or as {@code DequantizeLinear} of an
 * integer initializer (QDQ form: {@code (q - zero_point) * scale}).
 */
final class OnnxGraph {

    /** Nodes that only (de)quantize and are transparent for the float network. */
    private static final Set<String> QDQ = Set.of("QuantizeLinear", "DequantizeLinear", "Identity");

    /** A constant with its ONNX shape. */
    record Constant(float[] values, long[] dims) {}

    private final OnnxMl.GraphProto graph;
    private final Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();
    private final Map<String, OnnxMl.NodeProto> producers = new HashMap<>();
    private final Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();

    OnnxGraph(OnnxMl.GraphProto graph) {
        this.graph = graph;
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            for (String out : node.getOutputList()) {
                producers.put(out, node);
            }
            for (String in : node.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
            if (node.getOpType().equals("Constant")) {
                for (OnnxMl.AttributeProto a : node.getAttributeList()) {
                    if (a.getName().equals("value")) {
                        initializers.put(node.getOutput(0), a.getT());
                    }
                }
            }
        }
    }

    /** Whether a value is one of the graph's outputs. */
    boolean isGraphOutput(String value) {
        return graph.getOutputList().stream().anyMatch(o -> o.getName().equals(value));
    }

    /** All nodes of an op type, in graph (topological) order. */
    List<OnnxMl.NodeProto> nodes(String opType) {
        List<OnnxMl.NodeProto> out = new ArrayList<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals(opType)) {
                out.add(node);
            }
        }
        return out;
    }

    /** Whether a value is a constant (initializer, Constant node, or a dequantized one). */
    boolean isConstant(String name) {
        if (initializers.containsKey(name)) {
            return true;
        }
        OnnxMl.NodeProto p = producers.get(name);
        return p != null && QDQ.contains(p.getOpType()) && isConstant(p.getInput(0));
    }

    /** The float value of a constant input, dequantizing QDQ weights. */
    Constant constant(String name) {
        OnnxMl.TensorProto t = initializers.get(name);
        if (t != null) {
            return new Constant(OnnxProtos.toFloats(t), OnnxProtos.dims(t));
        }
        OnnxMl.NodeProto p = producers.get(name);
        if (p == null) {
            throw new IllegalArgumentException(
                    "value '" + name + "' is not a constant of the graph");
        }
        switch (p.getOpType()) {
            case "Identity", "QuantizeLinear" -> {
                // Quantizing a constant weight again is an identity for the float network.
                return constant(p.getInput(0));
            }
            case "DequantizeLinear" -> {
                Constant q = constant(p.getInput(0));
                float[] scale = constant(p.getInput(1)).values();
                float[] zero =
                        p.getInputCount() > 2 && !p.getInput(2).isEmpty()
                                ? constant(p.getInput(2)).values()
                                : new float[] {0f};
                return new Constant(
                        dequantize(q, scale, zero, (int) OnnxProtos.intAttribute(p, "axis", 1)),
                        q.dims());
            }
            default ->
                    throw new IllegalArgumentException(
                            "value '"
                                    + name
                                    + "' is computed by a "
                                    + p.getOpType()
                                    + " node, not a constant");
        }
    }

    private static float[] dequantize(Constant q, float[] scale, float[] zero, int axis) {
        float[] out = new float[q.values().length];
        if (scale.length == 1) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (q.values()[i] - zero[0]) * scale[0];
            }
            return out;
        }
        // Per-axis: index along `axis` selects scale and zero point.
        long[] dims = q.dims();
        int ax = axis < 0 ? axis + dims.length : axis;
        long inner = 1;
        for (int d = ax + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        for (int i = 0; i < out.length; i++) {
            int c = (int) ((i / inner) % dims[ax]);
            out[i] = (q.values()[i] - zero[zero.length == 1 ? 0 : c]) * scale[c];
        }
        return out;
    }

    /** The node that produces a value, looking through (de)quantization; null for graph inputs. */
    OnnxMl.NodeProto producerSkippingQdq(String value) {
        OnnxMl.NodeProto p = producers.get(value);
        while (p != null && QDQ.contains(p.getOpType())) {
            p = producers.get(p.getInput(0));
        }
        return p;
    }

    /** The single real (non-QDQ) consumer of a value, or null if there is none or several. */
    OnnxMl.NodeProto consumerSkippingQdq(String value) {
        List<OnnxMl.NodeProto> next = consumers.getOrDefault(value, List.of());
        while (next.size() == 1 && QDQ.contains(next.get(0).getOpType())) {
            next = consumers.getOrDefault(next.get(0).getOutput(0), List.of());
        }
        return next.size() == 1 ? next.get(0) : null;
    }
}
