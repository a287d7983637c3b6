package org.immunobench.curation.curate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One map of a parsed YAML/JSON config with its path from the root ({@code sources[2].mapping}), so every error
 * names the key the user has to fix. Typed getters accept what YAML produces (Integer, Long, Double, Boolean,
 * String) and numeric strings; anything else is an {@link IllegalArgumentException} starting with the key's path.
 */
final class ConfigSection {
    private final String path;
    private final Map<String, Object> values;

    private ConfigSection(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static ConfigSection root(Map<String, ?> map) {
        return new ConfigSection("", copy("", map));
    }

    /** The section's own path; empty at the root. */
    String path() {
        return path;
    }

    /** Path of a key of this section. */
    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    /** Fails naming the first unknown key with its path and the keys allowed here. */
    void allowOnly(Collection<String> known) {
        TreeSet<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(at(unknown.first()) + ": unknown key; known keys"
                    + (path.isEmpty() ? "" : " of " + path) + ": " + String.join(", ", known));
        }
    }

    String string(String key, String dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            if (s.isBlank()) {
                throw new IllegalArgumentException(at(key) + ": must not be empty");
            }
            return s.strip();
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw new IllegalArgumentException(at(key) + ": expected a string, got " + describe(v));
    }

    String requiredString(String key) {
        String s = string(key, null);
        if (s == null) {
            throw new IllegalArgumentException(at(key) + ": missing");
        }
        return s;
    }

    long integer(String key, long dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at(key) + ": expected an integer, got '" + s + "'");
            }
        }
        throw new IllegalArgumentException(at(key) + ": expected an integer, got " + describe(v));
    }

    int intValue(String key, int dflt) {
        long v = integer(key, dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(at(key) + ": " + v + " is out of range");
        }
        return (int) v;
    }

    double number(String key, double dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        return toNumber(at(key), v);
    }

    boolean bool(String key, boolean dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.strip().equals("true") || s.strip().equals("false"))) {
            return Boolean.parseBoolean(s.strip());
        }
        throw new IllegalArgumentException(at(key) + ": expected true or false, got " + describe(v));
    }

    /** The raw value, for keys that take several shapes. */
    Object raw(String key) {
        return values.get(key);
    }

    /** A nested map; an empty section when absent. */
    ConfigSection section(String key) {
        Object v = values.get(key);
        if (v == null) {
            return new ConfigSection(at(key), new LinkedHashMap<>());
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(at(key) + ": expected a map of keys, got " + describe(v));
        }
        return new ConfigSection(at(key), copy(at(key), m));
    }

    /** A list; empty when absent. */
    List<Object> list(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException(at(key) + ": expected a list, got " + describe(v));
        }
        return new ArrayList<>(l);
    }

    /** Element {@code i} of list {@code key}, which must be a map. */
    ConfigSection element(String key, int i, Object element) {
        String p = at(key) + "[" + i + "]";
        if (!(element instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(p + ": expected a map of keys, got " + describe(element));
        }
        return new ConfigSection(p, copy(p, m));
    }

    /** A list of numbers. */
    List<Double> numbers(String key, List<Double> dflt) {
        if (!has(key)) {
            return dflt;
        }
        List<Object> raw = list(key);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            out.add(toNumber(at(key) + "[" + i + "]", raw.get(i)));
        }
        return out;
    }

    /** A list of strings. */
    List<String> strings(String key, List<String> dflt) {
        if (!has(key)) {
            return dflt;
        }
        List<Object> raw = list(key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Object v = raw.get(i);
            if (!(v instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException(at(key) + "[" + i + "]: expected a non-empty string, got "
                        + describe(v));
            }
            out.add(s.strip());
        }
        return out;
    }

    /** The section as a plain map (for parsers that take one, such as {@code MinHashConfig.fromMap}). */
    Map<String, Object> asMap() {
        return new LinkedHashMap<>(values);
    }

    private static double toNumber(String where, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": expected a number, got '" + s + "'");
            }
        }
        throw new IllegalArgumentException(where + ": expected a number, got " + describe(v));
    }

    private static Map<String, Object> copy(String where, Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new IllegalArgumentException((where.isEmpty() ? "" : where + ": ") + "key " + e.getKey()
                        + " is not a string");
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof Map) {
            return "a map";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + v;
    }
}
