package org.immunobench.training.attacks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * One point of an attack grid: kind, hyper-parameters (as the strings a config file gives) and seed. Its id is a
 * hash of the canonical form, so the same attack gets the same id in every run (the task ledger relies on it).
 */
public record AttackSpec(String kind, Map<String, String> params, long seed) implements java.io.Serializable {
    public AttackSpec {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("attack.kind must be set");
        }
        params = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /** Canonical JSON: keys sorted, values as strings. */
    public String configJson() {
        StringBuilder sb = new StringBuilder("{\"kind\":").append(quote(kind)).append(",\"params\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        }
        return sb.append("},\"seed\":").append(seed).append('}').toString();
    }

    /** First 16 bytes of SHA-256 of {@link #configJson()}, hex. */
    public String id() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(configJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
