package org.immunobench.jobs.score;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Turns one input row of the {@code score} job into a {@link ScoreRequest} or a {@link Quarantined} row. Pure: no
 * Spark, no model. Both input formats go through {@link #fromObject}, so JSONL and Parquet rows obey one rule set:
 *
 * <ul>
 *   <li>a row has {@code text} (string), or {@code prompt} and {@code response} (strings), never both kinds;</li>
 *   <li>{@code text} and {@code response} must not be empty or whitespace only; {@code prompt} may be empty;</li>
 *   <li>{@code id} is optional, a string or a number (kept as its text); without it the id is the content hash
 *       {@link #contentId} of the text, or of prompt + U+0000 + response;</li>
 *   <li>a JSON {@code null} counts as an absent field (Parquet nulls cannot mean anything else); other fields are
 *       ignored;</li>
 *   <li>blank lines are read rows too and are quarantined ("blank line"), so rows read = scored + quarantined
 *       holds over the file's lines. A final newline does not start another line.</li>
 * </ul>
 */
public final class ScoreInputParser {
    /** Hex characters of SHA-256 kept as a content id: 64 bits, collision-free at any corpus size we handle. */
    static final int CONTENT_ID_HEX_CHARS = 16;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ScoreInputParser() {
    }

    /** Parses one JSONL line; {@code line} is 1-based. */
    public static ParsedLine parseJsonLine(String source, long line, String raw) {
        String body = raw.startsWith("\uFEFF") ? raw.substring(1) : raw; // a BOM some editors put on line 1
        if (body.isBlank()) {
            return new Quarantined(source, line, raw, "blank line");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new Quarantined(source, line, raw, "malformed JSON: " + describe(e));
        }
        if (!node.isObject()) {
            return new Quarantined(source, line, raw, "not a JSON object (found " + kind(node) + ")");
        }
        return fromObject(source, line, raw, (ObjectNode) node);
    }

    /**
     * A row given as column values (e.g. from Parquet): each is null, a String or a Number. {@code raw} becomes
     * the row as JSON.
     */
    public static ParsedLine fromColumns(String source, long line, Object id, Object text, Object prompt,
            Object response) {
        ObjectNode obj = JsonNodeFactory.instance.objectNode();
        put(obj, "id", id);
        put(obj, "text", text);
        put(obj, "prompt", prompt);
        put(obj, "response", response);
        return fromObject(source, line, obj.toString(), obj);
    }

    /** Applies the row rules to a parsed JSON object. */
    public static ParsedLine fromObject(String source, long line, String raw, ObjectNode obj) {
        JsonNode text = present(obj, "text");
        JsonNode prompt = present(obj, "prompt");
        JsonNode response = present(obj, "response");
        JsonNode id = present(obj, "id");
        if (text != null && (prompt != null || response != null)) {
            return new Quarantined(source, line, raw, "has both text and prompt/response; give one or the other");
        }
        if (text == null && prompt == null && response == null) {
            return new Quarantined(source, line, raw, "missing field: text, or prompt and response");
        }
        if (text == null && prompt == null) {
            return new Quarantined(source, line, raw, "missing field: prompt (response given)");
        }
        if (text == null && response == null) {
            return new Quarantined(source, line, raw, "missing field: response (prompt given)");
        }
        String idText = null;
        if (id != null) {
            if (id.isTextual()) {
                idText = id.textValue();
                if (idText.isBlank()) {
                    return new Quarantined(source, line, raw, "empty id");
                }
            } else if (id.isNumber()) {
                idText = id.asText();
            } else {
                return new Quarantined(source, line, raw, "field 'id' must be a string or number, got " + kind(id));
            }
        }
        if (text != null) {
            if (!text.isTextual()) {
                return new Quarantined(source, line, raw, "field 'text' must be a string, got " + kind(text));
            }
            if (text.textValue().isBlank()) {
                return new Quarantined(source, line, raw, "empty text");
            }
            String t = text.textValue();
            return ScoreRequest.text(idText != null ? idText : contentId(t), t, source, line, raw);
        }
        if (!prompt.isTextual()) {
            return new Quarantined(source, line, raw, "field 'prompt' must be a string, got " + kind(prompt));
        }
        if (!response.isTextual()) {
            return new Quarantined(source, line, raw, "field 'response' must be a string, got " + kind(response));
        }
        if (response.textValue().isBlank()) {
            return new Quarantined(source, line, raw, "empty response");
        }
        String p = prompt.textValue();
        String r = response.textValue();
        return ScoreRequest.promptResponse(idText != null ? idText : contentId(p + "\u0000" + r), p, r, source,
                line, raw);
    }

    /** Stable id of a content string: the first 16 hex characters of its UTF-8 SHA-256. */
    public static String contentId(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, CONTENT_ID_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    private static JsonNode present(ObjectNode obj, String field) {
        JsonNode n = obj.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static void put(ObjectNode obj, String field, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof String s) {
            obj.put(field, s);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            obj.put(field, ((Number) value).longValue());
        } else if (value instanceof BigInteger b) {
            obj.put(field, b);
        } else if (value instanceof BigDecimal d) {
            obj.put(field, d);
        } else if (value instanceof Number n) {
            obj.put(field, n.doubleValue());
        } else {
            throw new IllegalArgumentException("column '" + field + "': unsupported value type "
                    + value.getClass().getSimpleName());
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Jackson's message without its source excerpt, plus the column: one line. */
    private static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        if (e.getLocation() != null && e.getLocation().getColumnNr() > 0) {
            msg += " (column " + e.getLocation().getColumnNr() + ")";
        }
        return msg;
    }
}
