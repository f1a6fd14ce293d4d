package dev.catsdogs.inference;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A classifying application in a JVM of its own, for what only a new process shows: what it leaves
 * in {@code java.io.tmpdir} and the home directory, what it prints, what it extracts. Its {@code
 * main} classifies one image and prints {@code label}; with {@code --forever} it then prints {@code
 * classified} and goes on classifying until it is killed.
 */
final class ChildJvm {

    /** A finished child: exit code and both streams. */
    record Result(int exitCode, String out, String err) {}

    private final List<String> command = new ArrayList<>();
    private final Map<String, String> environment;

    /**
     * @param tmp the child's {@code java.io.tmpdir} and {@code TMPDIR}
     * @param home the child's {@code user.home} and {@code HOME} ({@code XDG_CACHE_HOME} unset)
     * @param cache the child's native cache ({@code -Dcatsdogs.native.cache})
     */
    ChildJvm(Path tmp, Path home, Path cache, List<String> jvmOptions) {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-Duser.home=" + home);
        command.add("-Dcatsdogs.native.cache=" + cache);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildJvm.class.getName());
        environment =
                Map.of("TMPDIR", tmp.toString(), "HOME", home.toString(), "LC_ALL", "C.UTF-8");
    }

    Result classify(Path model, Path image, Map<String, String> extraEnvironment)
            throws IOException, InterruptedException {
        Process process = start(model, image, false, extraEnvironment);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), out, err);
    }

    /** Starts a child that classifies forever, and returns once it has classified once. */
    Process classifyForever(Path model, Path image) throws IOException {
        Process process = start(model, image, true, Map.of());
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String label = out.readLine();
        String line = out.readLine();
        if (!"classified".equals(line)) {
            String err =
                    new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            process.destroyForcibly();
            throw new IOException("the child printed " + label + ", " + line + "; stderr: " + err);
        }
        return process;
    }

    private Process start(Path model, Path image, boolean forever, Map<String, String> extra)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.command().addAll(List.of(model.toString(), image.toString()));
        if (forever) {
            builder.command().add("--forever");
        }
        builder.environment().remove("XDG_CACHE_HOME");
        builder.environment().remove("ORT_DISABLE_TELEMETRY");
        builder.environment().putAll(environment);
        builder.environment().putAll(extra);
        return builder.start();
    }

    public static void main(String[] args) throws Exception {
        try (ImageClassifier classifier = ImageClassifier.builder(Path.of(args[0])).build()) {
            Path image = Path.of(args[1]);
            System.out.println(classifier.classify(image).label());
            if (args.length > 2) {
                System.out.println("classified");
                System.out.flush();
                while (true) {
                    classifier.classify(image);
                }
            }
        }
    }
}
