package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.libtorch.DjlJni;
import dev.catsdogs.trainer.libtorch.LocalTorch;
import dev.catsdogs.trainer.libtorch.TorchDiscovery;
import dev.catsdogs.trainer.libtorch.TorchSetup;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/**
 * {@code --torch python3|PYTHON|DIR} (or the environment variable {@value #ENV}): train with a
 * PyTorch installed on this machine instead of DJL's own libtorch, offline. Shared by {@code
 * train}, {@code bench-train} and {@code gpu-jni}.
 */
public final class TorchOption {

    /** The environment variable that gives {@code --torch} when the option is not on the line. */
    public static final String ENV = "CATSDOGS_TORCH";

    @Option(
            names = "--torch",
            paramLabel = "python3|PYTHON|DIR",
            defaultValue = "${env:" + ENV + "}",
            description =
                    "Use the PyTorch installed here, offline: the one a Python imports (python3,"
                            + " or a path), or a torch/lib folder. Default: $"
                            + ENV
                            + "; without either, train uses DJL's own libtorch and gpu-jni"
                            + " python3. A PyTorch other than the one DJL's JNI was built for needs"
                            + " ./catsdogs gpu-jni first.")
    private String value;

    /** The value given, or null for DJL's own libtorch. */
    public String value() {
        return value;
    }

    /**
     * With {@code --torch}: finds that PyTorch and points DJL at it; call it before anything loads
     * the engine. Says on {@code out} which PyTorch and JNI will be used. Without it: nothing.
     *
     * @throws IllegalArgumentException (a usage error) when it cannot be found or used, in one line
     */
    public void apply(PrintStream out) {
        if (value == null || value.isBlank()) {
            return;
        }
        LocalTorch torch = TorchDiscovery.find(value);
        String jni = TorchSetup.check(torch, DjlJni.current(), System.getenv());
        TorchSetup.apply(torch);
        out.println("libtorch: " + torch.describe() + ", with " + jni);
    }
}
