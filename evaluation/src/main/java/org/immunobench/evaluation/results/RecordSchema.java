package org.immunobench.evaluation.results;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;

/**
 * The Spark schema of a flat row record (metric, pillar, generation, failure and manifest rows), derived from its
 * components: names in snake_case, in declaration order; String → string (nullable), long/int/double/boolean → the
 * non-nullable Spark type. One derivation instead of a hand-written schema and two converters per table, so a
 * column added to a record reaches the Parquet files with no other edit.
 *
 * @param <R> the record type
 */
public final class RecordSchema<R extends Record> implements Serializable {
    private final Class<R> type;
    private final transient StructType schema;

    private RecordSchema(Class<R> type) {
        this.type = type;
        this.schema = structOf(type);
    }

    public static <R extends Record> RecordSchema<R> of(Class<R> type) {
        return new RecordSchema<>(type);
    }

    public StructType schema() {
        return schema == null ? structOf(type) : schema;
    }

    public Row toRow(R record) {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] values = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) {
            try {
                values[i] = cs[i].getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + cs[i].getName(), e);
            }
        }
        return RowFactory.create(values);
    }

    /** The record of a row read back with this schema (columns found by name, so extra columns are ignored). */
    public R fromRow(Row row) {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] args = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) {
            String column = snake(cs[i].getName());
            int at;
            try {
                at = row.fieldIndex(column);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(type.getSimpleName() + ": column '" + column + "' is missing from "
                        + row.schema().simpleString(), e);
            }
            args[i] = row.isNullAt(at) ? null : row.get(at);
            if (args[i] == null && cs[i].getType().isPrimitive()) {
                throw new IllegalArgumentException(type.getSimpleName() + ": column '" + column + "' is null");
            }
        }
        try {
            Constructor<R> c = type.getDeclaredConstructor(
                    Arrays.stream(cs).map(RecordComponent::getType).toArray(Class<?>[]::new));
            c.setAccessible(true);
            return c.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    public List<Row> toRows(List<R> records) {
        return records.stream().map(this::toRow).toList();
    }

    public List<R> fromRows(List<Row> rows) {
        return rows.stream().map(this::fromRow).toList();
    }

    static StructType structOf(Class<?> type) {
        StructType s = new StructType();
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> t = c.getType();
            DataType dt;
            boolean nullable = false;
            if (t == String.class) {
                dt = DataTypes.StringType;
                nullable = true;
            } else if (t == long.class) {
                dt = DataTypes.LongType;
            } else if (t == int.class) {
                dt = DataTypes.IntegerType;
            } else if (t == double.class) {
                dt = DataTypes.DoubleType;
            } else if (t == boolean.class) {
                dt = DataTypes.BooleanType;
            } else {
                throw new IllegalArgumentException(type.getSimpleName() + "." + c.getName() + ": type "
                        + t.getSimpleName() + " has no column mapping (String, long, int, double, boolean)");
            }
            s = s.add(snake(c.getName()), dt, nullable);
        }
        return s;
    }

    /** {@code checkpointId} → {@code checkpoint_id}. */
    static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
