package org.immunobench.curation.corpus;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/** Spark schemas of the corpus and quarantine contracts, and conversions from the records. */
public final class CorpusSchema {
    public static final StructType CORPUS = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("source_row", DataTypes.LongType, false)
            .add("split", DataTypes.StringType, false)
            .add("domain", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("prompt", DataTypes.StringType, false)
            .add("response", DataTypes.StringType, false)
            .add("n_tokens", DataTypes.IntegerType, true)
            .add("ppl", DataTypes.DoubleType, true)
            .add("ppl_bucket", DataTypes.StringType, true)
            .add("flags", DataTypes.createArrayType(DataTypes.StringType, false), false);

    public static final StructType QUARANTINE = new StructType()
            .add("source", DataTypes.StringType, false)
            .add("source_row", DataTypes.LongType, false)
            .add("raw", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false);

    private CorpusSchema() {
    }

    public static Row toRow(CorpusRow r) {
        return RowFactory.create(r.id(), r.source(), r.sourceRow(), r.split(), r.domain(), r.kind(), r.prompt(),
                r.response(), r.nTokens(), r.ppl(), r.pplBucket(),
                scala.jdk.javaapi.CollectionConverters.asScala(r.flags()).toSeq());
    }

    public static CorpusRow fromRow(Row row) {
        List<String> flags = row.isNullAt(11) ? List.of() : row.getList(11);
        return new CorpusRow(row.getString(0), row.getString(1), row.getLong(2), row.getString(3), row.getString(4),
                row.getString(5), row.getString(6), row.getString(7), row.isNullAt(8) ? null : row.getInt(8),
                row.isNullAt(9) ? null : row.getDouble(9), row.isNullAt(10) ? null : row.getString(10), flags);
    }

    public static Row toRow(QuarantineRow q) {
        return RowFactory.create(q.source(), q.sourceRow(), q.raw(), q.reason());
    }
}
