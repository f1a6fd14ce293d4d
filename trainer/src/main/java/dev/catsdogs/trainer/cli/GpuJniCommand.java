package dev.catsdogs.trainer.cli;

import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.inference.cli.ThreadLimit;
import dev.catsdogs.trainer.libtorch.DjlJni;
import dev.catsdogs.trainer.libtorch.JniBuild;
import dev.catsdogs.trainer.libtorch.LocalTorch;
import dev.catsdogs.trainer.libtorch.TorchDiscovery;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code catsdogs gpu-jni}: builds DJL's PyTorch JNI against a PyTorch installed here, for which
 * DJL ships none, so that {@code train --torch} can use it. See {@link JniBuild}.
 */
@Command(
        name = "gpu-jni",
        mixinStandardHelpOptions = true,
        description = {
            "Build DJL's PyTorch JNI (libdjl_torch.so) against the PyTorch installed here, when DJL"
                    + " ships none for it (DJL's own is for one PyTorch release), and put it where"
                    + " DJL looks for it; then 'catsdogs --gpu train --torch ...' uses that"
                    + " PyTorch offline.",
            "Needs a DJL checkout at the tag of the DJL this build uses, CMake, a C++ compiler, a"
                    + " JDK and, for a CUDA PyTorch, the CUDA toolkit. About 30 s on 16 cores."
        })
final class GpuJniCommand implements Callable<Integer> {

    @Option(
            names = "--djl-source",
            required = true,
            paramLabel = "DIR",
            description =
                    "A checkout of github.com/deepjavalibrary/djl at the tag of this build's DJL:"
                            + " git clone --branch v<DJL version> --depth 1"
                            + " https://github.com/deepjavalibrary/djl (a wrong tag is refused,"
                            + " naming the right one).")
    private Path djlSource;

    @Mixin private TorchOption torch = new TorchOption();

    @Option(
            names = "--jobs",
            paramLabel = "N",
            description = "Parallel compile jobs (default: the number of cores).")
    private Integer jobs;

    @Option(
            names = "--overwrite",
            negatable = false,
            description = "Replace a JNI an earlier gpu-jni built for the same PyTorch.")
    private boolean overwrite;

    @Spec private CommandSpec spec;

    private final Map<String, String> env;
    private final Supplier<DjlJni> djlJni;

    /** The command as the launcher runs it: this process's environment and DJL. */
    GpuJniCommand() {
        this(System.getenv(), DjlJni::current);
    }

    /** With another environment (PATH) and DJL cache, for tests. */
    GpuJniCommand(Map<String, String> env, Supplier<DjlJni> djlJni) {
        this.env = env;
        this.djlJni = djlJni;
    }

    @Override
    public Integer call() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        if (jobs != null && (jobs < 1 || jobs > ThreadLimit.max(cores))) {
            throw usageError("Received --jobs " + jobs + "; expected 1.." + ThreadLimit.max(cores));
        }
        DjlJni jni = djlJni.get();
        JniBuild build = new JniBuild(env, System.out);
        LocalTorch found;
        Path cmake;
        Path target;
        try {
            JniBuild.checkSource(djlSource, jni.djlVersion());
            String value = torch.value() != null ? torch.value() : "python3";
            found = TorchDiscovery.find(value);
            System.out.println("found: " + found.describe() + " (--torch " + value + ")");
            if (jni.bundledFor(found)) {
                System.out.println(
                        "nothing to build: DJL "
                                + jni.djlVersion()
                                + "'s own JNI fits it; ./catsdogs --gpu train --torch "
                                + value
                                + " uses it");
                return 0;
            }
            target = jni.pathFor(found);
            if (Files.exists(target) && !overwrite) {
                throw new IllegalArgumentException(
                        "a JNI for it is already built: "
                                + target
                                + " (--overwrite builds it again)");
            }
            cmake = build.checkTools(found);
        } catch (IllegalArgumentException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("gpu-jni: " + e.getMessage());
            err.flush();
            return Failures.USAGE;
        }
        build.build(found, djlSource, cmake, target, jobs != null ? jobs : cores);
        System.out.println(
                "next: ./catsdogs --gpu train --torch "
                        + found.foundBy()
                        + " --data DIR (the JNI is found there, nothing is downloaded)");
        return 0;
    }

    private CommandLine.ParameterException usageError(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
