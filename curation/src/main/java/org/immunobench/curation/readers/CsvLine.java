package org.immunobench.curation.readers;

import org.immunobench.curation.validate.BadRow;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV record (RFC 4180: fields optionally in double quotes, {@code ""} for a quote inside, line breaks
 * allowed inside quotes) into its fields. Strict where lenient readers guess: a quote inside an unquoted field, text
 * after a closing quote and a quote left open are errors on field {@code row}.
 */
final class CsvLine {
    private CsvLine() {
    }

    static List<String> parse(String rec, char delimiter) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int n = rec.length();
        int i = 0;
        int fieldNo = 1;
        while (true) {
            if (i < n && rec.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new BadRow("row", "unterminated quoted field " + fieldNo);
                    }
                    char c = rec.charAt(i++);
                    if (c != '"') {
                        field.append(c);
                    } else if (i < n && rec.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
                if (i < n && rec.charAt(i) != delimiter) {
                    throw new BadRow("row", "unexpected '" + rec.charAt(i) + "' after the closing quote of field "
                            + fieldNo);
                }
            } else {
                while (i < n && rec.charAt(i) != delimiter) {
                    char c = rec.charAt(i++);
                    if (c == '"') {
                        throw new BadRow("row", "quote inside unquoted field " + fieldNo
                                + " (a field holding quotes must itself be quoted)");
                    }
                    field.append(c);
                }
            }
            out.add(field.toString());
            field.setLength(0);
            if (i >= n) {
                return out;
            }
            i++;
            fieldNo++;
        }
    }
}
