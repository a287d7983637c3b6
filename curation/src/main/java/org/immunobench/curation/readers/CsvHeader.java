package org.immunobench.curation.readers;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Column names of a CSV/TSV file, checked once against what its adapter needs. */
record CsvHeader(List<String> names) implements Serializable {

    CsvHeader {
        names = List.copyOf(names);
    }

    /**
     * Reads and checks a header; the error names the file and the first missing or duplicated column.
     *
     * @param required columns the adapter reads
     */
    static CsvHeader of(List<String> names, List<String> required, String file) {
        Map<String, Integer> seen = new HashMap<>();
        for (String n : names) {
            if (seen.put(n, 1) != null) {
                throw new IllegalArgumentException(file + ": duplicate column '" + n + "' in header " + names);
            }
        }
        for (String r : required) {
            if (!seen.containsKey(r)) {
                throw new IllegalArgumentException(file + ": missing column '" + r + "' (header has " + names + ")");
            }
        }
        return new CsvHeader(names);
    }

    int indexOf(String name) {
        return names.indexOf(name);
    }

    int size() {
        return names.size();
    }
}
