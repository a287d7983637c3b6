package org.immunobench.curation.readers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.immunobench.curation.adapters.Fields;
import org.immunobench.curation.validate.BadRow;

import java.util.Map;
import java.util.TreeMap;

/** {@link Fields} of a JSON object; types are strict (the number 1 is not the string "1"). */
final class JsonFields implements Fields {
    private final ObjectNode obj;

    JsonFields(ObjectNode obj) {
        this.obj = obj;
    }

    private JsonNode get(String name) {
        JsonNode n = obj.get(name);
        if (n == null) {
            throw new BadRow(name, "missing");
        }
        return n;
    }

    @Override
    public boolean has(String name) {
        return obj.has(name);
    }

    @Override
    public boolean present(String name) {
        JsonNode n = obj.get(name);
        return n != null && !n.isNull();
    }

    @Override
    public String string(String name) {
        JsonNode n = get(name);
        if (!n.isTextual()) {
            throw new BadRow(name, "expected string, got " + JsonRows.typeName(n));
        }
        return n.textValue();
    }

    @Override
    public String stringOrNumber(String name) {
        JsonNode n = get(name);
        if (!n.isTextual() && !n.isNumber()) {
            throw new BadRow(name, "expected string or number, got " + JsonRows.typeName(n));
        }
        return n.asText();
    }

    @Override
    public boolean bool(String name) {
        JsonNode n = get(name);
        if (!n.isBoolean()) {
            throw new BadRow(name, "expected boolean, got " + JsonRows.typeName(n));
        }
        return n.booleanValue();
    }

    @Override
    public long integer(String name) {
        JsonNode n = get(name);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new BadRow(name, "expected integer, got " + JsonRows.typeName(n));
        }
        return n.longValue();
    }

    @Override
    public Map<String, Boolean> booleanMap(String name) {
        JsonNode n = get(name);
        if (!n.isObject()) {
            throw new BadRow(name, "expected object, got " + JsonRows.typeName(n));
        }
        Map<String, Boolean> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isBoolean()) {
                throw new BadRow(name + "." + e.getKey(), "expected boolean, got " + JsonRows.typeName(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().booleanValue());
        }
        return out;
    }
}
