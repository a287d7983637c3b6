package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.immunobench.lm.config.ConfigBinder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads an experiment YAML file into a validated {@link ExperimentConfig}; every error names the file and key. */
public final class ExperimentConfigs {
    private ExperimentConfigs() {
    }

    public static ExperimentConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config file not found: " + file);
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --config " + file + ": " + e.getMessage(), e);
        }
    }

    /** @param origin file name for the messages */
    public static ExperimentConfig parse(String yaml, String origin) {
        JsonNode tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException(origin + ": an experiment config is a map of keys (version, parents,"
                    + " defences, attacks …)");
        }
        try {
            return ConfigBinder.bind(tree, ExperimentConfig.class, "");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
        }
    }

    /** The world directory: {@code --world} if given, else the config's {@code world:} against the file's folder. */
    public static Path worldDir(ExperimentConfig c, Path configFile, Path worldFlag) {
        if (worldFlag != null) {
            return worldFlag.toAbsolutePath().normalize();
        }
        if (c.world() == null) {
            return null;
        }
        Path base = configFile == null || configFile.toAbsolutePath().getParent() == null ? Path.of("")
                : configFile.toAbsolutePath().getParent();
        return base.resolve(c.world()).toAbsolutePath().normalize();
    }
}
