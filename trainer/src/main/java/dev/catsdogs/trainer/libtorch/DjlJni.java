package dev.catsdogs.trainer.libtorch;

import ai.djl.util.Utils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DJL's PyTorch JNI ({@code libdjl_torch.so}, the glue between DJL's Java and libtorch): which
 * PyTorch the one in DJL's {@code pytorch-jni} jar was built for, and where DJL looks for one built
 * for another PyTorch.
 *
 * <p>DJL 0.36 looks for the JNI of libtorch {@code V} (its {@code PYTORCH_VERSION}) and flavor
 * {@code F} ({@code PYTORCH_FLAVOR}) at {@code <DJL cache>/pytorch/V-F-<os>-<arch>/<djl
 * version>-libdjl_torch.so}; when that file is missing it extracts the jar's JNI there if the jar
 * was built for {@code V} and has flavor {@code F}, and downloads one otherwise. {@code gpu-jni}
 * puts the JNI it builds at that path, so that DJL finds it there and never downloads.
 *
 * @param djlVersion DJL's version, e.g. {@code 0.36.0}: part of the file name
 * @param pytorchVersion the PyTorch the jar's JNI was built for, e.g. {@code 2.7.1}
 * @param flavors the jar's flavors for this platform, e.g. {@code cpu} and {@code cu128}
 * @param classifier this platform as DJL names it, e.g. {@code linux-x86_64}
 * @param cacheDir DJL's PyTorch cache directory, e.g. {@code ~/.djl.ai/pytorch}
 */
public record DjlJni(
        String djlVersion,
        String pytorchVersion,
        Set<String> flavors,
        String classifier,
        Path cacheDir) {

    private static final String JNI_NAME = System.mapLibraryName("djl_torch");

    public DjlJni {
        flavors = Set.copyOf(flavors);
    }

    /**
     * What this class path's DJL ships, read from its jars' properties and listing (without loading
     * the engine, which would be too late to point it at another libtorch).
     */
    public static DjlJni current() {
        Properties engine = properties("pytorch-engine.properties");
        Properties jni = properties("jnilib/pytorch.properties");
        String djlVersion = engine.getProperty("djl_version");
        String jniVersion = jni.getProperty("jni_version", ""); // e.g. 2.7.1-0.36.0
        String pytorch =
                jniVersion.endsWith("-" + djlVersion)
                        ? jniVersion.substring(0, jniVersion.length() - djlVersion.length() - 1)
                        : engine.getProperty("pytorch_version");
        String classifier = platform();
        return new DjlJni(
                djlVersion,
                pytorch,
                flavorsInJar(classifier),
                classifier,
                Utils.getEngineCacheDir("pytorch"));
    }

    /** Whether the jar's JNI fits {@code torch}: same PyTorch release, a flavor the jar has. */
    public boolean bundledFor(LocalTorch torch) {
        return torch.release().equals(pytorchVersion) && flavors.contains(torch.flavor());
    }

    /** Where DJL looks for the JNI of {@code torch} (and where {@code gpu-jni} puts it). */
    public Path pathFor(LocalTorch torch) {
        return cacheDir.resolve(torch.release() + "-" + torch.flavor() + "-" + classifier)
                .resolve(djlVersion + "-" + JNI_NAME);
    }

    /** E.g. {@code PyTorch 2.7.1 (cpu, cu128)}. */
    public String describeBundled() {
        return "PyTorch " + pytorchVersion + " (" + String.join(", ", new TreeSet<>(flavors)) + ")";
    }

    /** DJL's platform name: {@code linux-x86_64}, {@code linux-aarch64}, ... */
    static String platform() {
        String os = System.getProperty("os.name");
        String prefix =
                os.startsWith("Win")
                        ? "win"
                        : os.startsWith("Mac") ? "osx" : os.toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        return prefix + "-" + ("amd64".equals(arch) ? "x86_64" : arch);
    }

    private static Set<String> flavorsInJar(String classifier) {
        Set<String> flavors = new TreeSet<>();
        URL url = DjlJni.class.getClassLoader().getResource("jnilib/pytorch.properties");
        if (url == null) {
            return flavors;
        }
        Pattern entry =
                Pattern.compile(
                        "jnilib/"
                                + Pattern.quote(classifier)
                                + "/([^/]+)/"
                                + Pattern.quote(JNI_NAME));
        try {
            URLConnection connection = url.openConnection();
            if (!(connection instanceof JarURLConnection jar)) {
                return flavors;
            }
            jar.setUseCaches(false);
            try (JarFile file = jar.getJarFile()) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    Matcher m = entry.matcher(entries.nextElement().getName());
                    if (m.matches()) {
                        flavors.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list DJL's pytorch-jni jar", e);
        }
        return flavors;
    }

    private static Properties properties(String resource) {
        Properties p = new Properties();
        try (InputStream in = DjlJni.class.getClassLoader().getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from DJL's jars", e);
        }
        return p;
    }
}
