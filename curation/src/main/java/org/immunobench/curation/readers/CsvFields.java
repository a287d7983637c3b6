package org.immunobench.curation.readers;

import org.immunobench.curation.adapters.Fields;
import org.immunobench.curation.validate.BadRow;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link Fields} of a CSV/TSV record under its header; booleans and integers are parsed from the cell text. */
final class CsvFields implements Fields {
    private final CsvHeader header;
    private final List<String> values;

    CsvFields(CsvHeader header, List<String> values) {
        this.header = header;
        this.values = values;
    }

    @Override
    public boolean has(String name) {
        return header.indexOf(name) >= 0;
    }

    @Override
    public String string(String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new BadRow(name, "missing");
        }
        return values.get(i);
    }

    @Override
    public boolean bool(String name) {
        String v = string(name).strip().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new BadRow(name, "expected true or false, got '" + string(name) + "'");
    }

    @Override
    public long integer(String name) {
        String v = string(name).strip();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadRow(name, "expected integer, got '" + string(name) + "'");
        }
    }

    @Override
    public Map<String, Boolean> booleanMap(String name) {
        throw new BadRow(name, "a map field cannot come from a CSV cell");
    }
}
