package dev.catsdogs.trainer.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** The project's Gson: pretty, with paths and URIs as plain strings. */
public final class Json {

    private Json() {}

    /** A Gson that reads and writes {@link Path} and {@link URI} as strings. */
    public static Gson gson() {
        return builder().create();
    }

    /** {@link #gson()} that also writes null values: a report keeps every key it names. */
    public static Gson gsonWithNulls() {
        return builder().serializeNulls().create();
    }

    private static GsonBuilder builder() {
        return new GsonBuilder()
                .setPrettyPrinting()
                .registerTypeHierarchyAdapter(Path.class, new StringAdapter<>(Path::of))
                .registerTypeAdapter(URI.class, new StringAdapter<>(URI::create));
    }

    private static final class StringAdapter<T> extends TypeAdapter<T> {
        private final java.util.function.Function<String, T> parse;

        StringAdapter(java.util.function.Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public void write(JsonWriter out, T value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(value.toString());
            }
        }

        @Override
        public T read(JsonReader in) throws IOException {
            if (in.peek() == com.google.gson.stream.JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            return parse.apply(in.nextString());
        }
    }
}
