package org.immunobench.curation.adapters;

import java.util.regex.Pattern;

/**
 * One {@code --source NAME=FORMAT:PATH} of the curate command. PATH is everything after the first colon that
 * follows FORMAT, so it may itself hold colons ({@code hdfs://…}, {@code s3a://…}).
 *
 * @param name the corpus {@code source} value
 * @param path a file or a directory, local or any Hadoop file system URI
 */
public record SourceSpec(String name, SourceFormat format, String path) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final String FORM = "expected NAME=FORMAT:PATH";

    public SourceSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("source NAME '" + name
                    + "' must start with a letter or digit and hold only letters, digits, '_', '.', '-'");
        }
        if (format == null) {
            throw new IllegalArgumentException("source '" + name + "': FORMAT is missing");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("source '" + name + "': PATH is empty");
        }
    }

    /** Parses the CLI form; errors quote the whole argument and name the part that is wrong. */
    public static SourceSpec parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        int eq = s.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("--source '" + s + "': " + FORM + " (no '=' after NAME)");
        }
        String name = s.substring(0, eq);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("--source '" + s + "': " + FORM + " (NAME is empty)");
        }
        String rest = s.substring(eq + 1);
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--source '" + s + "': " + FORM + " (no ':' between FORMAT and PATH)");
        }
        String format = rest.substring(0, colon);
        if (format.isEmpty()) {
            throw new IllegalArgumentException("--source '" + s + "': " + FORM + " (FORMAT is empty; one of "
                    + SourceFormat.ids() + ")");
        }
        String path = rest.substring(colon + 1);
        if (path.isBlank()) {
            throw new IllegalArgumentException("--source '" + s + "': " + FORM + " (PATH is empty)");
        }
        SourceFormat f;
        try {
            f = SourceFormat.fromId(format);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--source '" + s + "': " + e.getMessage());
        }
        try {
            return new SourceSpec(name, f, path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--source '" + s + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name + "=" + format.id() + ":" + path;
    }
}
