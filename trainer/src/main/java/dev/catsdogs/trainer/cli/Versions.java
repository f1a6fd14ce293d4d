package dev.catsdogs.trainer.cli;

import ai.djl.engine.Engine;

import java.util.LinkedHashMap;
import java.util.Map;

/** Library, engine, Java and OS versions, for provenance in config.json and the exported model. */
final class Versions {

    private Versions() {}

    static Map<String, String> current() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("catsdogs", "0.1.0");
        v.put("djl", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        v.put("engine", engine.getEngineName() + " " + engine.getVersion());
        v.put("onnxruntime", ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion() == null
                ? "1.29.0" : ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion());
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return v;
    }
}
