package dev.catsdogs.trainer.libtorch;

import dev.catsdogs.inference.internal.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds DJL's PyTorch JNI ({@code libdjl_torch.so}) against a {@link LocalTorch} and installs it
 * where DJL looks for it ({@link DjlJni#pathFor}): what DJL's own {@code
 * engines/pytorch/pytorch-native/build.sh} does, without its libtorch download. Three steps, each
 * printed: the JNI header {@code javac -h} writes for {@code PyTorchLibrary} (from the checkout's
 * source), CMake's configure of the checkout's {@code pytorch-native} project against the PyTorch's
 * CMake files (CUDA on when the PyTorch has it), and the build. Their output goes to {@code
 * gpu-jni.log} beside the installed library; the build folder is temporary.
 *
 * <p>Checks that can fail before anything runs are {@link IllegalArgumentException}s (usage
 * errors); a failed step is an {@link IOException} naming the step and the log.
 */
public final class JniBuild {

    /** Where the JNI's CMake project is in a DJL checkout. */
    static final String NATIVE_PROJECT = "engines/pytorch/pytorch-native";

    /** The Java class whose native methods the JNI implements. */
    static final String PYTORCH_LIBRARY =
            "engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java";

    private static final Pattern DJL_VERSION = Pattern.compile("(?m)^djl\\s*=\\s*\"([^\"]+)\"");
    private static final String JNI_NAME = System.mapLibraryName("djl_torch");

    private final Map<String, String> env;
    private final PrintStream out;

    /**
     * @param env the environment the tools are looked up in ({@code PATH}) and run with
     * @param out where each step is said
     */
    public JniBuild(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    /**
     * Checks that {@code djlSource} is a DJL checkout of version {@code djlVersion}: its JNI must
     * implement the native methods of the DJL on this class path.
     *
     * @throws IllegalArgumentException naming the folder and what is wrong
     */
    public static void checkSource(Path djlSource, String djlVersion) {
        String given = "--djl-source " + djlSource;
        if (!Files.isDirectory(djlSource)) {
            throw new IllegalArgumentException(
                    given
                            + ": "
                            + (Files.exists(djlSource) ? "not a directory" : "not found")
                            + "; expected a checkout of github.com/deepjavalibrary/djl at tag v"
                            + djlVersion);
        }
        for (String part : List.of(NATIVE_PROJECT + "/CMakeLists.txt", PYTORCH_LIBRARY)) {
            if (!Files.isRegularFile(djlSource.resolve(part))) {
                throw new IllegalArgumentException(
                        given
                                + ": no "
                                + part
                                + "; expected a checkout of github.com/deepjavalibrary/djl at tag"
                                + " v"
                                + djlVersion);
            }
        }
        Path versions = djlSource.resolve("gradle/libs.versions.toml");
        Matcher m = DJL_VERSION.matcher(readOrEmpty(versions));
        if (!m.find()) {
            throw new IllegalArgumentException(
                    given + ": cannot tell its DJL version (no djl = \"...\" in " + versions + ")");
        }
        if (!m.group(1).equals(djlVersion)) {
            throw new IllegalArgumentException(
                    given
                            + " is DJL "
                            + m.group(1)
                            + ", but this build uses DJL "
                            + djlVersion
                            + ": check out tag v"
                            + djlVersion
                            + " (git -C "
                            + djlSource
                            + " checkout v"
                            + djlVersion
                            + ")");
        }
    }

    /**
     * Checks the tools the build needs for {@code torch}: CMake, a C++ compiler, a JDK (javac and
     * jni.h) and, for a CUDA build, the CUDA toolkit (its CMake files look for nvcc).
     *
     * @return CMake
     * @throws IllegalArgumentException naming the missing tool and how to get it
     */
    public Path checkTools(LocalTorch torch) {
        Path cmake = onPath("cmake");
        if (cmake == null) {
            throw new IllegalArgumentException(
                    "cmake not found on PATH; the JNI build needs CMake 3.18 or newer (sudo apt-get"
                            + " install -y cmake)");
        }
        String cxx = env.get("CXX");
        if ((cxx == null || cxx.isBlank())
                && onPath("c++") == null
                && onPath("g++") == null
                && onPath("clang++") == null) {
            throw new IllegalArgumentException(
                    "no C++ compiler (c++, g++ or clang++ on PATH, or $CXX); the JNI build needs"
                            + " one (sudo apt-get install -y g++)");
        }
        if (ToolProvider.getSystemJavaCompiler() == null
                || !Files.isRegularFile(javaHome().resolve("include/jni.h"))) {
            throw new IllegalArgumentException(
                    "the JNI build needs a JDK (javac and include/jni.h), and "
                            + javaHome()
                            + " is a JRE; run catsdogs with a JDK's java");
        }
        if (torch.cuda() != null && nvcc() == null) {
            throw new IllegalArgumentException(
                    torch.describe()
                            + " was built for CUDA "
                            + torch.cuda()
                            + ": its CMake files need the CUDA "
                            + torch.cuda()
                            + " toolkit, and nvcc is neither on PATH nor in "
                            + cudaHome().resolve("bin")
                            + " ($CUDA_HOME/bin)");
        }
        return cmake;
    }

    /**
     * Builds the JNI for {@code torch} from {@code djlSource} and installs it at {@code target}
     * (atomically; an existing file is replaced).
     *
     * @param cmake from {@link #checkTools}
     * @param jobs parallel compile jobs
     * @throws IOException when a step fails: its name, exit code and the log
     */
    public void build(LocalTorch torch, Path djlSource, Path cmake, Path target, int jobs)
            throws IOException, InterruptedException {
        Files.createDirectories(target.getParent());
        Path log = target.resolveSibling("gpu-jni.log");
        Files.writeString(log, "gpu-jni: " + torch.describe() + "\n", StandardCharsets.UTF_8);
        Path work = Files.createTempDirectory("catsdogs-gpu-jni-");
        try {
            Path include = work.resolve("include");
            Path build = work.resolve("build");
            header(djlSource, include, work.resolve("classes"), log);
            List<String> configure =
                    new ArrayList<>(
                            List.of(
                                    cmake.toString(),
                                    "-S",
                                    djlSource.resolve(NATIVE_PROJECT).toString(),
                                    "-B",
                                    build.toString(),
                                    "-DCMAKE_BUILD_TYPE=Release",
                                    "-DCMAKE_PREFIX_PATH=" + torch.cmakePrefix(),
                                    "-DCMAKE_CXX_FLAGS=-I" + include));
            if (torch.cuda() != null) {
                configure.add("-DUSE_CUDA=1");
            }
            if (torch.release().matches("1\\.13\\.1|2\\.0\\.1|2\\.1\\..*")) {
                configure.add("-DPT_VERSION=V1_13_X"); // build.sh's rule for the older API
            }
            run("configure", configure, log);
            run(
                    "build",
                    List.of(
                            cmake.toString(),
                            "--build",
                            build.toString(),
                            "--config",
                            "Release",
                            "--parallel",
                            Integer.toString(jobs)),
                    log);
            Path built = build.resolve(JNI_NAME);
            if (!Files.isRegularFile(built)) {
                throw new IOException(
                        "the build ended without " + JNI_NAME + "; its output is in " + log);
            }
            AtomicFiles.write(target, o -> Files.copy(built, o));
            out.println("installed: " + target + " (DJL loads it for " + torch.describe() + ")");
        } finally {
            deleteTree(work);
        }
    }

    /** {@code javac -h}: the header of PyTorchLibrary's native methods, from the checkout. */
    private void header(Path djlSource, Path include, Path classes, Path log) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String sourcePath =
                djlSource.resolve("engines/pytorch/pytorch-engine/src/main/java")
                        + File.pathSeparator
                        + djlSource.resolve("api/src/main/java");
        List<String> args =
                List.of(
                        "-h",
                        include.toString(),
                        "-d",
                        classes.toString(),
                        "-sourcepath",
                        sourcePath,
                        djlSource.resolve(PYTORCH_LIBRARY).toString());
        out.println("header: javac " + String.join(" ", args));
        int exit;
        try (OutputStream logStream = append(log)) {
            exit = javac.run(null, logStream, logStream, args.toArray(String[]::new));
        }
        if (exit != 0) {
            throw new IOException("javac -h failed (exit " + exit + "); its output is in " + log);
        }
    }

    private void run(String step, List<String> command, Path log)
            throws IOException, InterruptedException {
        out.println(step + ": " + String.join(" ", command));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (env.containsKey("PATH")) {
            pb.environment().put("PATH", env.get("PATH"));
        }
        pb.environment().putIfAbsent("JAVA_HOME", javaHome().toString()); // FindJNI looks there
        long start = System.nanoTime();
        Process process = pb.start();
        try {
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IOException(
                        "the JNI's "
                                + step
                                + " failed (exit "
                                + exit
                                + "); its output is in "
                                + log);
            }
        } finally {
            process.destroy(); // no-op once it ended; stops it when we were interrupted
        }
        out.printf("  %s done in %.0f s%n", step, (System.nanoTime() - start) / 1e9);
    }

    /** {@code name} on {@code PATH}, or null. */
    Path onPath(String name) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private Path nvcc() {
        Path onPath = onPath("nvcc");
        if (onPath != null) {
            return onPath;
        }
        Path inCudaHome = cudaHome().resolve("bin/nvcc");
        return Files.isExecutable(inCudaHome) ? inCudaHome : null;
    }

    /** {@code $CUDA_HOME}, else {@code /usr/local/cuda}, where CMake also looks. */
    private Path cudaHome() {
        String home = env.get("CUDA_HOME");
        return Path.of(home == null || home.isBlank() ? "/usr/local/cuda" : home);
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    private static OutputStream append(Path log) throws IOException {
        return Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
