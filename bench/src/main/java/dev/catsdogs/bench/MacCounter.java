package dev.catsdogs.bench;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.catsdogs.trainer.onnx.OnnxProtos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts the multiply-accumulates of one image through an ONNX graph, from the graph alone: shapes
 * are propagated node by node from the input (a symbolic batch dimension counts as 1), and every
 * {@code Conv}, {@code Gemm} and {@code MatMul} adds its MACs ({@code output elements x (input
 * channels / group) x kernel area} for a convolution, {@code M x K x N} for a matrix product).
 * Element-wise ops, pooling and padding are not counted: they are a rounding error next to the
 * convolutions and no MAC unit does them.
 *
 * <p>Covers the ops of MobileNet-style inference graphs, QDQ-quantized ones included; any other op
 * fails with {@link IllegalArgumentException} naming the node and op, never a silent undercount.
 */
public final class MacCounter {

    /**
     * The count.
     *
     * @param total MACs for one image
     * @param byOpType MACs per op type ({@code Conv}, {@code Gemm}, {@code MatMul}), in graph order
     * @param inputShape the input shape the count assumed
     */
    public record Count(long total, Map<String, Long> byOpType, long[] inputShape) {
        public Count {
            byOpType = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byOpType));
            inputShape = inputShape.clone();
        }

        @Override
        public long[] inputShape() {
            return inputShape.clone();
        }

        /** Floating-point operations of one image: two per multiply-accumulate. */
        public long flops() {
            return 2 * total;
        }
    }

    private static final Set<String> UNARY =
            Set.of(
                    "Relu",
                    "Clip",
                    "Sigmoid",
                    "Tanh",
                    "Identity",
                    "Cast",
                    "Dropout",
                    "QuantizeLinear",
                    "DequantizeLinear",
                    "BatchNormalization",
                    "Softmax",
                    "LogSoftmax",
                    "Exp",
                    "Log",
                    "Neg",
                    "Abs",
                    "Sqrt",
                    "Reciprocal",
                    "HardSigmoid",
                    "HardSwish",
                    "LeakyRelu",
                    "Elu",
                    "Selu",
                    "Erf",
                    "Gelu",
                    "Floor",
                    "Ceil",
                    "Round",
                    "LRN");
    private static final Set<String> BROADCAST =
            Set.of(
                    "Add", "Sub", "Mul", "Div", "Min", "Max", "Pow", "Sum", "Mean", "PRelu",
                    "Where");
    private static final Set<String> REDUCE =
            Set.of("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2");

    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, OnnxMl.TensorProto> constants = new HashMap<>();
    private final Map<String, Long> byOp = new LinkedHashMap<>();

    private MacCounter() {}

    /**
     * Counts the MACs of the ONNX file for one image.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not ONNX, or has an op this counter does not know
     */
    public static Count count(Path onnxFile) throws IOException {
        try {
            return count(OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnxFile)));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(
                    onnxFile + ": not an ONNX model: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(onnxFile + ": " + e.getMessage(), e);
        }
    }

    /** Counts the MACs of {@code model} for one image; see {@link #count(Path)}. */
    public static Count count(OnnxMl.ModelProto model) {
        return new MacCounter().run(model.getGraph());
    }

    private Count run(OnnxMl.GraphProto graph) {
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), t);
            shapes.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        long[] inputShape = null;
        for (OnnxMl.ValueInfoProto input : graph.getInputList()) {
            if (constants.containsKey(input.getName())) {
                continue; // an initializer listed as input (IR < 4)
            }
            long[] shape = inputShape(input);
            shapes.put(input.getName(), shape);
            if (inputShape == null) {
                inputShape = shape;
            }
        }
        if (inputShape == null) {
            throw new IllegalArgumentException("the graph has no input");
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            visit(node);
        }
        long total = byOp.values().stream().mapToLong(Long::longValue).sum();
        return new Count(total, byOp, inputShape);
    }

    /** The input's dimensions; a symbolic first (batch) dimension is 1, any other must be fixed. */
    private static long[] inputShape(OnnxMl.ValueInfoProto input) {
        OnnxMl.TensorShapeProto shape = input.getType().getTensorType().getShape();
        long[] dims = new long[shape.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension d = shape.getDim(i);
            if (d.hasDimValue() && d.getDimValue() > 0) {
                dims[i] = d.getDimValue();
            } else if (i == 0) {
                dims[i] = 1;
            } else {
                throw new IllegalArgumentException(
                        "input '"
                                + input.getName()
                                + "' has a symbolic size '"
                                + d.getDimParam()
                                + "' at axis "
                                + i
                                + "; MACs need fixed image dimensions");
            }
        }
        return dims;
    }

    private void visit(OnnxMl.NodeProto node) {
        String op = node.getOpType();
        if (op.equals("Constant")) {
            OnnxMl.TensorProto value = OnnxProtos.attribute(node, "value").getT();
            constants.put(node.getOutput(0), value);
            shapes.put(
                    node.getOutput(0),
                    value.getDimsList().stream().mapToLong(Long::longValue).toArray());
            return;
        }
        long[] out =
                switch (op) {
                    case "Conv" -> conv(node);
                    case "Gemm" -> gemm(node);
                    case "MatMul" -> matMul(node);
                    case "Pad" -> pad(node);
                    case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(node);
                    case "AveragePool", "MaxPool" -> pool(node);
                    case "Flatten" -> flatten(node);
                    case "Reshape" -> reshape(node);
                    case "Transpose" -> transpose(node);
                    case "Squeeze" -> squeeze(node);
                    case "Unsqueeze" -> unsqueeze(node);
                    case "Concat" -> concat(node);
                    default -> {
                        if (UNARY.contains(op)) {
                            yield shape(node, 0);
                        } else if (BROADCAST.contains(op)) {
                            yield broadcast(node);
                        } else if (REDUCE.contains(op)) {
                            yield reduce(node);
                        }
                        throw new IllegalArgumentException(
                                "node '"
                                        + node.getName()
                                        + "': op "
                                        + op
                                        + " is not supported by the MAC counter (it knows Conv,"
                                        + " Gemm, MatMul, Pad, pooling, reshaping and element-wise"
                                        + " ops)");
                    }
                };
        shapes.put(node.getOutput(0), out);
    }

    private void add(String op, long macs) {
        byOp.merge(op, macs, Long::sum);
    }

    // --- ops with MACs ---

    private long[] conv(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] w = shape(node, 1);
        int spatial = x.length - 2;
        long group = OnnxProtos.intAttribute(node, "group", 1);
        if (x[1] != w[1] * group) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "': Conv input has "
                            + x[1]
                            + " channels but the weight "
                            + Arrays.toString(w)
                            + " with group="
                            + group
                            + " expects "
                            + w[1] * group);
        }
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[0];
        long[] sizes = windowOutput(node, Arrays.copyOfRange(x, 2, x.length), kernel, spatial);
        System.arraycopy(sizes, 0, out, 2, spatial);
        // Each output element: (C / group) x kernel area multiply-accumulates; prod(w) = M x that.
        add("Conv", x[0] * product(sizes) * product(w));
        return out;
    }

    private long[] gemm(OnnxMl.NodeProto node) {
        long[] a = shape(node, 0);
        long[] b = shape(node, 1);
        boolean transA = OnnxProtos.intAttribute(node, "transA", 0) == 1;
        boolean transB = OnnxProtos.intAttribute(node, "transB", 0) == 1;
        long m = transA ? a[1] : a[0];
        long k = transA ? a[0] : a[1];
        long kb = transB ? b[1] : b[0];
        long n = transB ? b[0] : b[1];
        if (k != kb) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "': Gemm of "
                            + Arrays.toString(a)
                            + " and "
                            + Arrays.toString(b)
                            + " (transA="
                            + transA
                            + ", transB="
                            + transB
                            + ") has mismatched inner sizes "
                            + k
                            + " and "
                            + kb);
        }
        add("Gemm", m * k * n);
        return new long[] {m, n};
    }

    private long[] matMul(OnnxMl.NodeProto node) {
        long[] a = shape(node, 0);
        long[] b = shape(node, 1);
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        long m = a2[a2.length - 2];
        long k = a2[a2.length - 1];
        long n = b2[b2.length - 1];
        if (k != b2[b2.length - 2]) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "': MatMul of "
                            + Arrays.toString(a)
                            + " and "
                            + Arrays.toString(b)
                            + " has mismatched inner sizes");
        }
        long[] batch =
                broadcast(
                        node.getName(),
                        Arrays.copyOf(a2, a2.length - 2),
                        Arrays.copyOf(b2, b2.length - 2));
        add("MatMul", product(batch) * m * k * n);
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m;
        out[batch.length + 1] = n;
        if (a.length == 1 || b.length == 1) { // numpy: the promoted axis is removed again
            int drop = a.length == 1 ? out.length - 2 : out.length - 1;
            long[] squeezed = new long[out.length - 1];
            for (int i = 0, j = 0; i < out.length; i++) {
                if (i != drop) {
                    squeezed[j++] = out[i];
                }
            }
            return squeezed;
        }
        return out;
    }

    // --- shape-only ops ---

    private long[] pad(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] pads =
                node.getInputCount() > 1 && !node.getInput(1).isEmpty()
                        ? constantLongs(node, 1)
                        : OnnxProtos.intsAttribute(node, "pads");
        if (pads == null || pads.length != 2 * x.length) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "': Pad needs "
                            + 2 * x.length
                            + " pads for a rank-"
                            + x.length
                            + " input, got "
                            + Arrays.toString(pads));
        }
        long[] out = x.clone();
        for (int i = 0; i < x.length; i++) {
            out[i] += pads[i] + pads[i + x.length];
        }
        return out;
    }

    private long[] globalPool(OnnxMl.NodeProto node) {
        long[] out = shape(node, 0).clone();
        Arrays.fill(out, 2, out.length, 1);
        return out;
    }

    private long[] pool(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] kernel = OnnxProtos.intsAttribute(node, "kernel_shape");
        long[] out = x.clone();
        long[] sizes = windowOutput(node, Arrays.copyOfRange(x, 2, x.length), kernel, x.length - 2);
        System.arraycopy(sizes, 0, out, 2, sizes.length);
        return out;
    }

    private long[] flatten(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        int axis = axis(OnnxProtos.intAttribute(node, "axis", 1), x.length);
        return new long[] {
            product(Arrays.copyOf(x, axis)), product(Arrays.copyOfRange(x, axis, x.length))
        };
    }

    private long[] reshape(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] target = constantLongs(node, 1).clone();
        boolean allowZero = OnnxProtos.intAttribute(node, "allowzero", 0) == 1;
        int unknown = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                target[i] = x[i];
            } else if (target[i] == -1) {
                unknown = i;
            }
        }
        if (unknown >= 0) {
            target[unknown] = 1;
            target[unknown] = product(x) / product(target);
        }
        if (product(target) != product(x)) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "': cannot reshape "
                            + Arrays.toString(x)
                            + " to "
                            + Arrays.toString(target));
        }
        return target;
    }

    private long[] transpose(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] perm = OnnxProtos.intsAttribute(node, "perm");
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[perm == null ? x.length - 1 - i : (int) perm[i]];
        }
        return out;
    }

    private long[] squeeze(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] axes = axesOf(node);
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (long a : axes) {
                drop[axis(a, x.length)] = true;
            }
        }
        return keep(x, drop);
    }

    private long[] unsqueeze(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] axes = axesOf(node);
        int rank = x.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[axis(a, rank)] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : x[j++];
        }
        return out;
    }

    private long[] concat(OnnxMl.NodeProto node) {
        long[] out = shape(node, 0).clone();
        int axis = axis(OnnxProtos.intAttribute(node, "axis", 0), out.length);
        for (int i = 1; i < node.getInputCount(); i++) {
            out[axis] += shape(node, i)[axis];
        }
        return out;
    }

    private long[] reduce(OnnxMl.NodeProto node) {
        long[] x = shape(node, 0);
        long[] axes = axesOf(node);
        boolean keep = OnnxProtos.intAttribute(node, "keepdims", 1) == 1;
        boolean[] reduced = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            reduced[i] = axes == null;
        }
        if (axes != null) {
            for (long a : axes) {
                reduced[axis(a, x.length)] = true;
            }
        }
        if (!keep) {
            return keep(x, reduced);
        }
        long[] out = x.clone();
        for (int i = 0; i < x.length; i++) {
            if (reduced[i]) {
                out[i] = 1;
            }
        }
        return out;
    }

    private long[] broadcast(OnnxMl.NodeProto node) {
        long[] out = new long[0];
        for (int i = 0; i < node.getInputCount(); i++) {
            if (!node.getInput(i).isEmpty()) {
                out = broadcast(node.getName(), out, shape(node, i));
            }
        }
        return out;
    }

    /** Numpy (multidirectional) broadcasting of two shapes. */
    static long[] broadcast(String node, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(
                        "node '"
                                + node
                                + "': shapes "
                                + Arrays.toString(a)
                                + " and "
                                + Arrays.toString(b)
                                + " do not broadcast");
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    // --- helpers ---

    /** Output sizes of a sliding window (conv or pool) over {@code in}, from its attributes. */
    private static long[] windowOutput(
            OnnxMl.NodeProto node, long[] in, long[] kernel, int spatial) {
        long[] strides = orDefault(OnnxProtos.intsAttribute(node, "strides"), spatial, 1);
        long[] dilations = orDefault(OnnxProtos.intsAttribute(node, "dilations"), spatial, 1);
        long[] pads = orDefault(OnnxProtos.intsAttribute(node, "pads"), 2 * spatial, 0);
        String autoPad = OnnxProtos.stringAttribute(node, "auto_pad", "NOTSET");
        boolean ceil = OnnxProtos.intAttribute(node, "ceil_mode", 0) == 1;
        long[] out = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long span = (kernel[i] - 1) * dilations[i] + 1;
            out[i] =
                    switch (autoPad) {
                        case "SAME_UPPER", "SAME_LOWER" -> ceilDiv(in[i], strides[i]);
                        case "VALID" -> ceilDiv(in[i] - span + 1, strides[i]);
                        case "NOTSET" -> {
                            long padded = in[i] + pads[i] + pads[i + spatial] - span;
                            yield (ceil
                                            ? ceilDiv(padded, strides[i])
                                            : Math.floorDiv(padded, strides[i]))
                                    + 1;
                        }
                        default ->
                                throw new IllegalArgumentException(
                                        "node '"
                                                + node.getName()
                                                + "': unknown auto_pad '"
                                                + autoPad
                                                + "'; expected one of NOTSET, VALID, SAME_UPPER, "
                                                + "SAME_LOWER");
                    };
        }
        return out;
    }

    private long[] shape(OnnxMl.NodeProto node, int input) {
        String name = node.getInput(input);
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "' ("
                            + node.getOpType()
                            + "): the shape of its input '"
                            + name
                            + "' is unknown");
        }
        return s;
    }

    /** Axes from the {@code axes} input (opset 13+/18+) or attribute; null when absent. */
    private long[] axesOf(OnnxMl.NodeProto node) {
        if (node.getInputCount() > 1 && !node.getInput(1).isEmpty()) {
            return constantLongs(node, 1);
        }
        return OnnxProtos.intsAttribute(node, "axes");
    }

    private long[] constantLongs(OnnxMl.NodeProto node, int input) {
        OnnxMl.TensorProto t = constants.get(node.getInput(input));
        if (t == null) {
            throw new IllegalArgumentException(
                    "node '"
                            + node.getName()
                            + "' ("
                            + node.getOpType()
                            + "): input '"
                            + node.getInput(input)
                            + "' must be a constant for the MAC counter");
        }
        return OnnxProtos.toLongs(t);
    }

    private static long[] orDefault(long[] values, int length, long fallback) {
        if (values != null && values.length > 0) {
            return values;
        }
        long[] out = new long[length];
        Arrays.fill(out, fallback);
        return out;
    }

    private static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    private static long[] keep(long[] x, boolean[] drop) {
        return java.util.stream.IntStream.range(0, x.length)
                .filter(i -> !drop[i])
                .mapToLong(i -> x[i])
                .toArray();
    }

    private static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            p = Math.multiplyExact(p, d);
        }
        return p;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
