package org.immunobench.curation.adapters;

import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.TextNormaliser;

import java.util.Map;

/**
 * Typed access to the fields of one parsed source row (a JSON object, a CSV record under its header, a Spark
 * row), so one adapter serves every format its dataset ships in. Every accessor throws {@link BadRow} naming the
 * field when it is missing or of the wrong type.
 */
public interface Fields {

    boolean has(String name);

    /** Whether the field is there with a value: a JSON {@code null} or a null Parquet cell counts as absent. */
    default boolean present(String name) {
        return has(name);
    }

    /** A string field; in CSV every cell is one. JSON {@code null} is the wrong type, not a missing field. */
    String string(String name);

    boolean bool(String name);

    long integer(String name);

    /** A string, or a number as its text (ids given either way); a CSV cell is always a string. */
    default String stringOrNumber(String name) {
        return string(name);
    }

    /** A map (JSON object, Parquet map or struct) of booleans, in key order. */
    Map<String, Boolean> booleanMap(String name);

    /** {@link #string} that must hold more than whitespace and control characters. */
    default String text(String name) {
        String s = string(name);
        if (TextNormaliser.normalise(s).isEmpty()) {
            throw new BadRow(name, "empty");
        }
        return s;
    }
}
