package org.immunobench.curation.curate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Candidate;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.ValidationLimits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a {@value SourceConfig#CORPUS} source: Parquet in the corpus schema (a toy world's {@code corpus/}, split
 * as a partition directory or a column), through the same {@link RowValidator} as every adapter, so its rows are
 * normalised, re-hashed and quarantined like any other. Each row keeps its own split unless the source names one;
 * {@code flags} are kept; {@code id}, {@code n_tokens}, {@code ppl} and {@code ppl_bucket} are recomputed later.
 * Row numbers are {@code _metadata.row_index + 1} within each file (for a toy world: its {@code source_row}).
 */
public final class CorpusSource {
    static final List<String> REQUIRED = List.of("prompt", "response", "domain", "kind");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CorpusSource() {
    }

    public static JavaRDD<Parsed> read(SparkSession spark, SourceConfig source, ValidationLimits limits) {
        Dataset<Row> df = spark.read().parquet(source.path());
        StructType schema = df.schema();
        List<String> columns = Arrays.asList(schema.fieldNames());
        for (String c : REQUIRED) {
            requireType(source, schema, c, DataTypes.StringType);
        }
        boolean hasSplit = columns.contains("split");
        if (source.split() == null) {
            if (!hasSplit) {
                throw new IllegalArgumentException("source '" + source.name() + "': " + source.path() + " has no"
                        + " column 'split' (columns: " + columns + "); give the source a split");
            }
            requireType(source, schema, "split", DataTypes.StringType);
        }
        boolean hasFlags = columns.contains("flags");
        if (hasFlags) {
            requireType(source, schema, "flags", DataTypes.createArrayType(DataTypes.StringType));
        }
        boolean manyFiles = df.inputFiles().length > 1;
        Dataset<Row> rows = df.select(functions.col("prompt"), functions.col("response"), functions.col("domain"),
                functions.col("kind"),
                hasSplit ? functions.col("split") : functions.lit(null).cast("string"),
                hasFlags ? functions.col("flags") : functions.lit(null).cast("array<string>"),
                functions.col("_metadata.row_index"), functions.col("_metadata.file_name"));
        String name = source.name();
        String fixedSplit = source.split();
        return rows.javaRDD().map(r -> {
            Parsed p = parse(name, fixedSplit, limits, r.getLong(6) + 1, r.isNullAt(0) ? null : r.getString(0),
                    r.isNullAt(1) ? null : r.getString(1), r.isNullAt(2) ? null : r.getString(2),
                    r.isNullAt(3) ? null : r.getString(3), r.isNullAt(4) ? null : r.getString(4),
                    r.isNullAt(5) ? null : r.getList(5));
            return manyFiles ? inFile(p, r.getString(7)) : p;
        });
    }

    /** One corpus row as read; pure. {@code fixedSplit} (the source's) wins over the row's own. */
    static Parsed parse(String source, String fixedSplit, ValidationLimits limits, long rowNo, String prompt,
            String response, String domain, String kind, String split, List<String> flags) {
        String raw = raw(prompt, response, domain, kind, split, flags);
        String s = fixedSplit != null ? fixedSplit : split;
        if (s == null || !Splits.ALL.contains(s)) {
            return new Parsed.Quarantined(new QuarantineRow(source, rowNo, raw, s == null ? "split: missing"
                    : "split: expected one of " + Splits.ALL + ", got '" + s + "'"));
        }
        SourceContext ctx = new SourceContext(source, s, limits);
        return RowValidator.check(ctx, rowNo, raw, () -> {
            String pr = require("prompt", prompt);
            String re = require("response", response);
            String k = require("kind", kind);
            return new Candidate("prompt", pr, "response", re, false, require("domain", domain), k,
                    flags == null ? List.of() : withoutNulls(flags));
        });
    }

    private static String require(String field, String value) {
        if (value == null) {
            throw new BadRow(field, "expected string, got null");
        }
        return value;
    }

    private static List<String> withoutNulls(List<String> flags) {
        List<String> out = new ArrayList<>(flags.size());
        for (String f : flags) {
            if (f == null) {
                throw new BadRow("flags", "holds null");
            }
            out.add(f);
        }
        return out;
    }

    private static String raw(String prompt, String response, String domain, String kind, String split,
            List<String> flags) {
        ObjectNode o = JSON.createObjectNode();
        o.put("split", split);
        o.put("domain", domain);
        o.put("kind", kind);
        o.put("prompt", prompt);
        o.put("response", response);
        if (flags != null) {
            ArrayNode a = o.putArray("flags");
            flags.forEach(a::add);
        }
        return o.toString();
    }

    private static Parsed inFile(Parsed p, String file) {
        if (p instanceof Parsed.Quarantined q) {
            QuarantineRow r = q.row();
            return new Parsed.Quarantined(new QuarantineRow(r.source(), r.sourceRow(), r.raw(), file + ": "
                    + r.reason()));
        }
        return p;
    }

    private static void requireType(SourceConfig source, StructType schema, String column, DataType type) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("source '" + source.name() + "': " + source.path()
                    + " has no column '" + column + "' (columns: " + Arrays.asList(schema.fieldNames()) + ")");
        }
        DataType actual = schema.apply(column).dataType();
        boolean ok = type instanceof ArrayType at ? actual instanceof ArrayType aa
                && aa.elementType().equals(at.elementType()) : actual.equals(type);
        if (!ok) {
            throw new IllegalArgumentException("source '" + source.name() + "': " + source.path() + " column '"
                    + column + "' is " + actual.simpleString() + ", expected " + type.simpleString());
        }
    }
}
