package dev.catsdogs.trainer.model;

import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Loads a TorchScript module committed to the trainer jar (written by a script under {@code
 * src/main/torchscript/}): how the trainer reaches PyTorch operations DJL's JNI does not expose.
 */
public final class TorchScriptResource {

    private TorchScriptResource() {}

    /**
     * Loads {@code resource}, found beside {@code owner}, into {@code manager}, which frees it when
     * closed.
     *
     * @throws IllegalStateException when the jar lacks the resource
     */
    public static PtSymbolBlock load(PtNDManager manager, Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the trainer jar");
            }
            return JniUtils.loadModule(manager, in, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from the trainer jar", e);
        }
    }
}
