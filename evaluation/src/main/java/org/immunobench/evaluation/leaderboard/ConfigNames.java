package org.immunobench.evaluation.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Short legend names for attack configs: the hyper-parameters in which the configs differ ({@code lr=1.0E-4}),
 * nested keys joined by dots, instead of the whole canonical JSON, which no legend has room for. One config:
 * "one config"; a config that is not a JSON object keeps its text.
 */
final class ConfigNames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigNames() {
    }

    /** config JSON → its short name. */
    static Map<String, String> of(List<String> configs) {
        Map<String, String> out = new LinkedHashMap<>();
        if (configs.size() == 1) {
            out.put(configs.get(0), "one config");
            return out;
        }
        Map<String, Map<String, String>> flat = new LinkedHashMap<>();
        for (String c : configs) {
            Map<String, String> leaves = new TreeMap<>();
            try {
                flatten("", JSON.readTree(c), leaves);
            } catch (JsonProcessingException e) {
                leaves = null;
            }
            flat.put(c, leaves);
        }
        TreeSet<String> keys = new TreeSet<>();
        flat.values().forEach(m -> {
            if (m != null) {
                keys.addAll(m.keySet());
            }
        });
        List<String> varying = new ArrayList<>();
        for (String k : keys) {
            if (flat.values().stream().map(m -> m == null ? null : m.get(k)).distinct().count() > 1) {
                varying.add(k);
            }
        }
        flat.forEach((c, leaves) -> {
            if (leaves == null || varying.isEmpty()) {
                out.put(c, "config " + c);
            } else {
                List<String> parts = new ArrayList<>();
                varying.forEach(k -> parts.add(k + "=" + leaves.getOrDefault(k, "–")));
                out.put(c, String.join(", ", parts));
            }
        });
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), out));
        } else {
            out.put(prefix.isEmpty() ? "value" : prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }
}
