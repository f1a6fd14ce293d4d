package dev.catsdogs.trainer.cli;

import ai.djl.engine.Engine;
import dev.catsdogs.inference.BuildInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** Library, engine, Java and OS versions, for provenance in config.json and the exported model. */
final class Versions {

    private Versions() {}

    static Map<String, String> current() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("catsdogs", BuildInfo.version());
        v.put("djl", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        v.put("engine", engine.getEngineName() + " " + engine.getVersion());
        v.put("onnxruntime", BuildInfo.onnxRuntimeVersion());
        v.put(
                "java",
                System.getProperty("java.version")
                        + " ("
                        + System.getProperty("java.vendor")
                        + ")");
        v.put(
                "os",
                System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"));
        return v;
    }
}
