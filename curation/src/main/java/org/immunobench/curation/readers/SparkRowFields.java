package org.immunobench.curation.readers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.adapters.Fields;
import org.immunobench.curation.validate.BadRow;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Fields} of a Spark row read from Parquet. Integers accept any integral column type (HF datasets write
 * labels as int64, GLUE tools as int32); strings must be string columns.
 */
final class SparkRowFields implements Fields {
    private final Row row;
    private final int width;

    /** @param width how many leading columns are data (the rest are bookkeeping the reader added) */
    SparkRowFields(Row row, int width) {
        this.row = row;
        this.width = width;
    }

    private int index(String name) {
        StructType schema = row.schema();
        for (int i = 0; i < width; i++) {
            if (schema.fields()[i].name().equals(name)) {
                return i;
            }
        }
        throw new BadRow(name, "missing");
    }

    private Object value(String name, String expected) {
        int i = index(name);
        if (row.isNullAt(i)) {
            throw new BadRow(name, "expected " + expected + ", got null");
        }
        return row.get(i);
    }

    private BadRow wrongType(String name, String expected) {
        return new BadRow(name, "expected " + expected + ", got "
                + row.schema().fields()[index(name)].dataType().simpleString());
    }

    @Override
    public boolean has(String name) {
        for (int i = 0; i < width; i++) {
            if (row.schema().fields()[i].name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean present(String name) {
        return has(name) && !row.isNullAt(index(name));
    }

    @Override
    public String string(String name) {
        Object v = value(name, "string");
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(name, "string");
    }

    @Override
    public String stringOrNumber(String name) {
        Object v = value(name, "string or number");
        if (v instanceof String || v instanceof Long || v instanceof Integer || v instanceof Short
                || v instanceof Byte || v instanceof java.math.BigDecimal) {
            return v.toString();
        }
        if (v instanceof Double || v instanceof Float) {
            return Double.toString(((Number) v).doubleValue());
        }
        throw wrongType(name, "string or number");
    }

    @Override
    public boolean bool(String name) {
        Object v = value(name, "boolean");
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(name, "boolean");
    }

    @Override
    public long integer(String name) {
        Object v = value(name, "integer");
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw wrongType(name, "integer");
    }

    @Override
    public Map<String, Boolean> booleanMap(String name) {
        Object v = value(name, "map");
        Map<String, Boolean> out = new TreeMap<>();
        if (v instanceof Row struct) {
            StructField[] fs = struct.schema().fields();
            for (int i = 0; i < fs.length; i++) {
                Object b = struct.get(i);
                if (!(b instanceof Boolean)) {
                    throw new BadRow(name + "." + fs[i].name(), "expected boolean, got "
                            + (b == null ? "null" : fs[i].dataType().simpleString()));
                }
                out.put(fs[i].name(), (Boolean) b);
            }
            return out;
        }
        if (v instanceof scala.collection.Map<?, ?> m) {
            for (Map.Entry<?, ?> e : scala.jdk.javaapi.CollectionConverters.asJava(m).entrySet()) {
                if (!(e.getValue() instanceof Boolean)) {
                    throw new BadRow(name + "." + e.getKey(), "expected boolean");
                }
                out.put(String.valueOf(e.getKey()), (Boolean) e.getValue());
            }
            return out;
        }
        throw wrongType(name, "map or struct of booleans");
    }

    /** The data columns as one JSON object: the quarantine excerpt of a Parquet row. */
    String toJson() {
        ObjectNode obj = JsonRows.MAPPER.createObjectNode();
        StructField[] fs = row.schema().fields();
        for (int i = 0; i < width; i++) {
            Object v = row.get(i);
            String k = fs[i].name();
            if (v == null) {
                obj.putNull(k);
            } else if (v instanceof String s) {
                obj.put(k, s);
            } else if (v instanceof Boolean b) {
                obj.put(k, b);
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                obj.put(k, ((Number) v).longValue());
            } else if (v instanceof Number n) {
                obj.put(k, n.doubleValue());
            } else {
                obj.put(k, String.valueOf(v));
            }
        }
        return obj.toString();
    }
}
