package org.immunobench.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The {@code --config FILE} of every command: a YAML (or JSON) map of config keys to values. */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /**
     * The file's top-level map; an empty file is an empty map.
     *
     * @param what what the keys are, for the error when the file holds something else
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config file not found: " + file);
        }
        try {
            Object value = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class);
            if (value == null) {
                return Map.of();
            }
            if (!(value instanceof Map)) {
                throw new IllegalArgumentException("--config " + file + " must be a map of " + what + ", got "
                        + value.getClass().getSimpleName());
            }
            return (Map<String, Object>) value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --config " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A command-line VALUE as the config file would hold it: {@code KEY=VALUE} means what {@code KEY: VALUE} means in
     * YAML, so numbers and booleans become numbers and booleans (the config binder converts no string to a number);
     * everything else stays the string.
     */
    public static Object scalar(String value) {
        try {
            Object v = new ObjectMapper(new YAMLFactory()).readValue(value, Object.class);
            return v instanceof Number || v instanceof Boolean ? v : value;
        } catch (IOException e) {
            return value;
        }
    }
}
