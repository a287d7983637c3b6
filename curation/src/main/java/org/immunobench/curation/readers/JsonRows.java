package org.immunobench.curation.readers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.immunobench.curation.validate.BadRow;

import java.util.Locale;

/** The strict JSON reading shared by JSONL and JSON-array sources: one object per row, nothing after it. */
final class JsonRows {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** For reading elements off a stream: the next element is not "trailing" there. */
    static final JsonMapper STREAM_MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonRows() {
    }

    /** One JSONL line as an object; {@link BadRow} on field {@code row} otherwise. */
    static ObjectNode parseObject(String line) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadRow("row", "malformed JSON: " + describe(e));
        }
        return requireObject(node);
    }

    static ObjectNode requireObject(JsonNode node) {
        if (!node.isObject()) {
            throw new BadRow("row", "expected a JSON object, got " + typeName(node));
        }
        return (ObjectNode) node;
    }

    static String typeName(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Jackson's message without its source excerpt, plus where. */
    static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            msg += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return msg;
    }
}
