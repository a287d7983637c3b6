package org.immunobench.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The code version written into every output's provenance: the Maven version baked in at build time, plus the
 * git commit when the launcher knows it ({@code bin/immunobench} passes {@code -Dimmunobench.git.commit}; under
 * spark-submit set it with {@code --driver-java-options} or the {@code IMMUNOBENCH_GIT_COMMIT} environment variable).
 */
public final class CodeVersion {
    private static final String VERSION = load();

    private CodeVersion() {
    }

    public static String version() {
        return VERSION;
    }

    /** e.g. {@code 0.1.0-SNAPSHOT+git.1a2b3c4}, or the bare version when the commit is unknown. */
    public static String describe() {
        String commit = System.getProperty("immunobench.git.commit", System.getenv("IMMUNOBENCH_GIT_COMMIT"));
        return commit == null || commit.isBlank() ? VERSION : VERSION + "+git." + commit.trim();
    }

    private static String load() {
        try (InputStream in = CodeVersion.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
