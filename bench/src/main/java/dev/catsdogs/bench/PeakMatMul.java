package dev.catsdogs.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.OnnxRuntimeLoader;
import dev.catsdogs.trainer.onnx.OnnxProtos;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/**
 * The machine's sustained FLOP rate, measured the way the model is run: one large square MatMul
 * ({@code [n, n] x [n, n]}, the second operand a constant as convolution weights are) through an
 * ONNX Runtime session with a pinned intra-op thread count. One run is {@code 2 n^3} FLOPs.
 *
 * <p>Owns its session and input tensor; {@link #close()} releases both and is idempotent. Not for
 * concurrent use.
 */
public final class PeakMatMul implements AutoCloseable {

    /** The default size: 1024, 2.1 GFLOP per run, a few to a few tens of ms on one core. */
    public static final int DEFAULT_SIZE = 1024;

    private final int size;
    private final OrtSession session;
    private final OnnxTensor input;
    private boolean closed;

    private PeakMatMul(int size, OrtSession session, OnnxTensor input) {
        this.size = size;
        this.session = session;
        this.input = input;
    }

    /**
     * Builds the MatMul graph and a session with {@code intraOpThreads} threads.
     *
     * @throws OrtException if ONNX Runtime refuses the graph
     */
    public static PeakMatMul create(int size, int intraOpThreads) throws OrtException {
        if (size < 1) {
            throw Arguments.received("size", size, ">= 1");
        }
        if (intraOpThreads < 1) {
            throw Arguments.received("intraOpThreads", intraOpThreads, ">= 1");
        }
        OrtEnvironment env = OnnxRuntimeLoader.environment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            session = env.createSession(model(size).toByteArray(), options);
        }
        try {
            FloatBuffer a =
                    ByteBuffer.allocateDirect(4 * size * size)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
            Random random = new Random(1);
            for (int i = 0; i < size * size; i++) {
                a.put(i, random.nextFloat() - 0.5f);
            }
            OnnxTensor input = OnnxTensor.createTensor(env, a, new long[] {size, size});
            PeakMatMul peak = new PeakMatMul(size, session, input);
            session = null; // owned by the peak
            return peak;
        } finally {
            if (session != null) {
                session.close();
            }
        }
    }

    /** The FLOPs of one {@link #run()}: {@code 2 n^3}. */
    public long flopsPerRun() {
        return 2L * size * size * size;
    }

    /** Runs the product once; returns one element so that the work cannot be skipped. */
    public float run() throws OrtException {
        if (closed) {
            throw new IllegalStateException("run() called on a closed PeakMatMul");
        }
        try (OrtSession.Result result = session.run(Map.of("a", input))) {
            return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
        }
    }

    @Override
    public void close() throws OrtException {
        if (!closed) {
            closed = true;
            input.close();
            session.close();
        }
    }

    /** {@code y = a x b} with {@code b} a random constant initializer. */
    static OnnxMl.ModelProto model(int size) {
        ByteBuffer b = ByteBuffer.allocate(4 * size * size).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(2);
        for (int i = 0; i < size * size; i++) {
            b.putFloat(random.nextFloat() - 0.5f);
        }
        b.flip();
        OnnxMl.GraphProto graph =
                OnnxMl.GraphProto.newBuilder()
                        .setName("peak_matmul")
                        .addInput(floatValue("a", size, size))
                        .addOutput(floatValue("y", size, size))
                        .addInitializer(
                                OnnxMl.TensorProto.newBuilder()
                                        .setName("b")
                                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                                        .addDims(size)
                                        .addDims(size)
                                        .setRawData(ByteString.copyFrom(b)))
                        .addNode(
                                OnnxMl.NodeProto.newBuilder()
                                        .setName("matmul")
                                        .setOpType("MatMul")
                                        .addInput("a")
                                        .addInput("b")
                                        .addOutput("y"))
                        .build();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("catsdogs-bench")
                .setGraph(graph)
                .build();
    }

    /** A float tensor's name, type and shape; a negative dimension is symbolic ({@code "N"}). */
    static OnnxMl.ValueInfoProto floatValue(String name, long... dims) {
        return OnnxProtos.valueInfo(name, OnnxMl.TensorProto.DataType.FLOAT_VALUE, "N", dims);
    }
}
