package org.immunobench.lm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * The one way configs become objects: a tree read from YAML or JSON (maps, lists, scalars) is bound to immutable
 * records by Jackson databind, with snake_case keys, unknown keys rejected and value checks left to the records'
 * compact constructors. Every failure becomes an {@link IllegalArgumentException} whose message starts with the
 * key's path ({@code attacks[1].hyper.lr}) and, for an unknown key, lists the keys allowed there. A record's check
 * may name one of its own keys first ({@code "bands: must be >= 1"}); the binder then joins it to the record's path
 * ({@code dedup.bands: must be >= 1}).
 *
 * <p>Lives in the lowest module so that every module binds its configs the same way; parsing YAML text into a tree
 * is the caller's business (the jobs module), binding is this class's.
 */
public final class ConfigBinder {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** The same, but a string may stand for a number or boolean: for trees whose scalars were kept as text. */
    private static final ObjectMapper FROM_STRINGS = MAPPER.copy()
            .enable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);

    /** Jackson's "Cannot coerce String value ("many") to `int`": the offending value. */
    private static final java.util.regex.Pattern COERCED =
            java.util.regex.Pattern.compile("Cannot coerce [\\w-]+ value \\(\"?(.*?)\"?\\) to");

    /** A message that starts with a key: {@code bands: …}, {@code cutoffs[1]: …}, {@code mapping.kind: …}. */
    private static final java.util.regex.Pattern LEADING_KEY = java.util.regex.Pattern.compile("(\\w+)[:.\\[]");

    private ConfigBinder() {
    }

    /**
     * Binds {@code tree} (a {@link Map}, {@link JsonNode} or anything Jackson can convert) to {@code type}.
     *
     * @param path where {@code tree} sits in its file, prefixed to every error ({@code ""} for the root)
     */
    public static <T> T bind(Object tree, Class<T> type, String path) {
        return bind(MAPPER, tree, type, path);
    }

    /**
     * Binds a map of strings (an attack spec's parameters keep the text a config file gave) to {@code type}, each
     * string read as the field's type: {@code "1e-4"} binds to a {@code double}, {@code "fast"} fails naming the key.
     */
    public static <T> T bindStrings(Map<String, String> values, Class<T> type, String path) {
        return bind(FROM_STRINGS, values, type, path);
    }

    private static <T> T bind(ObjectMapper mapper, Object tree, Class<T> type, String path) {
        JsonNode node = tree instanceof JsonNode n ? n : mapper.valueToTree(tree);
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            String unknown = e instanceof ValueInstantiationException v ? unknownKeyAt(node, v, path) : null;
            throw new IllegalArgumentException(unknown != null ? unknown : describe(e, path), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(join(path, "") + e.getMessage(), e);
        }
    }

    /** The tree of a bound record, keys in snake_case: what the resolved config files are written from. */
    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Plain maps, lists and scalars of a bound record (for YAML writers and config hashes). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object value) {
        return MAPPER.convertValue(value, Map.class);
    }

    /** Canonical JSON (keys in declaration order, no whitespace) of a bound record: the input of config hashes. */
    public static String canonicalJson(Object value) {
        try {
            return MAPPER.copy().disable(SerializationFeature.INDENT_OUTPUT)
                    .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
    }

    /** The shared mapper (snake_case, strict); do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    static String describe(JsonProcessingException e, String root) {
        String at = e instanceof JsonMappingException m ? pathOf(m) : "";
        String key = join(root, at);
        if (e instanceof PropertyBindingException p) {
            Collection<Object> known = p.getKnownPropertyIds();
            TreeSet<String> allowed = new TreeSet<>();
            if (known != null) {
                known.forEach(k -> allowed.add(String.valueOf(k)));
            }
            return unknownKey(join(root, pathOf(p, true)), p.getPropertyName(), allowed);
        }
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause() == null ? v : v.getCause();
            return checkMessage(key, v.getType(), cause.getMessage());
        }
        if (e instanceof InvalidFormatException f) {
            return prefix(key) + "expected " + typeName(f.getTargetType()) + ", got '" + f.getValue() + "'";
        }
        if (e instanceof MismatchedInputException m) {
            String msg = m.getOriginalMessage();
            if (msg != null && msg.startsWith("Missing required creator property")) {
                return prefix(key) + "missing";
            }
            if (msg != null && (msg.contains("Null value for creator property")
                    || msg.startsWith("Cannot map `null` into type"))) {
                return prefix(key) + "missing (" + typeName(m.getTargetType()) + " is required)";
            }
            if (msg != null && msg.contains("Null value for creator property")) {
                return prefix(key) + "must be set (it is null)";
            }
            java.util.regex.Matcher coerced = msg == null ? null : COERCED.matcher(msg);
            if (coerced != null && coerced.find()) {
                return prefix(key) + "expected " + typeName(m.getTargetType()) + ", got '" + coerced.group(1) + "'";
            }
            return prefix(key) + "expected " + typeName(m.getTargetType()) + (msg == null ? ""
                    : " (" + firstLine(msg) + ")");
        }
        return prefix(key) + firstLine(e.getOriginalMessage());
    }

    private static String unknownKey(String where, String key, TreeSet<String> allowed) {
        return (where.isEmpty() ? "" : where + ".") + key + ": unknown key; allowed"
                + (where.isEmpty() ? "" : " in " + where) + ": " + allowed;
    }

    /**
     * Jackson builds a record before it reports the record's unknown keys, so a check that fails (often on a key
     * misspelt as an unknown one) would hide them: the first unknown key of the failing record's map, if any.
     */
    private static String unknownKeyAt(JsonNode root, ValueInstantiationException v, String path) {
        JsonNode node = root;
        for (JsonMappingException.Reference r : v.getPath()) {
            node = r.getIndex() >= 0 ? node.path(r.getIndex()) : node.path(r.getFieldName());
        }
        if (!node.isObject() || v.getType() == null) {
            return null;
        }
        TreeSet<String> allowed = keysOf(v.getType());
        for (java.util.Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                return unknownKey(join(path, pathOf(v)), key, allowed);
            }
        }
        return null;
    }

    private static TreeSet<String> keysOf(JavaType type) {
        TreeSet<String> keys = new TreeSet<>();
        MAPPER.getDeserializationConfig().introspect(type).findProperties().stream()
                .filter(p -> p.couldDeserialize()).forEach(p -> keys.add(p.getName()));
        return keys;
    }

    /** A record's check message under the record's path, joined to it when it starts with one of the record's keys. */
    private static String checkMessage(String key, JavaType type, String msg) {
        java.util.regex.Matcher m = LEADING_KEY.matcher(msg == null ? "" : msg);
        if (!key.isEmpty() && type != null && m.lookingAt() && keysOf(type).contains(m.group(1))) {
            return join(key, msg);
        }
        return prefix(key) + msg;
    }

    private static String pathOf(JsonMappingException e) {
        return pathOf(e, false);
    }

    /** Dotted path of the exception's reference chain; {@code parentOnly} drops the last (unknown) key. */
    private static String pathOf(JsonMappingException e, boolean parentOnly) {
        StringBuilder sb = new StringBuilder();
        var refs = e.getPath();
        int end = parentOnly ? refs.size() - 1 : refs.size();
        for (int i = 0; i < end; i++) {
            JsonMappingException.Reference r = refs.get(i);
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            }
        }
        return sb.toString();
    }

    private static String join(String root, String at) {
        if (root == null || root.isEmpty()) {
            return at;
        }
        if (at.isEmpty()) {
            return root;
        }
        return at.startsWith("[") ? root + at : root + "." + at;
    }

    private static String prefix(String key) {
        return key.isEmpty() ? "" : key + ": ";
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            TreeSet<String> names = new TreeSet<>();
            for (Object c : type.getEnumConstants()) {
                names.add(c.toString());
            }
            return "one of " + names;
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a map";
        }
        return type.getSimpleName();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
