package org.immunobench.curation.perplexity;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.List;
import java.util.Map;

/**
 * Stage 6a: sets {@code ppl_bucket} of every scored row from its (source, domain) group's percentiles
 * ({@link BucketScheme#label}), or {@link BucketScheme#SMALL_GROUP} when the group is under
 * {@code min_group_rows}. Rows without a perplexity keep a null bucket. Buckets are a column, not a filter: the
 * policies decide what to drop.
 */
public final class PerplexityBuckets {
    private PerplexityBuckets() {
    }

    public static Dataset<Row> assign(Dataset<Row> rows, BucketScheme scheme, List<GroupPercentiles> groups) {
        Map<List<String>, GroupPercentiles> byKey = GroupPercentiles.byKey(groups);
        int source = rows.schema().fieldIndex("source");
        int domain = rows.schema().fieldIndex("domain");
        int ppl = rows.schema().fieldIndex("ppl");
        int bucket = rows.schema().fieldIndex("ppl_bucket");
        return rows.map((MapFunction<Row, Row>) r -> {
            String label = r.isNullAt(ppl) ? null
                    : label(scheme, byKey.get(List.of(r.getString(source), r.getString(domain))), r.getDouble(ppl));
            Object[] v = new Object[r.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            v[bucket] = label;
            return RowFactory.create(v);
        }, Encoders.row(rows.schema()));
    }

    /** The bucket of a scored row of group {@code g}. */
    public static String label(BucketScheme scheme, GroupPercentiles g, double ppl) {
        if (g == null) {
            throw new IllegalStateException("no percentiles for a scored row's group");
        }
        if (g.n() < scheme.minGroupRows()) {
            return BucketScheme.SMALL_GROUP;
        }
        return scheme.label(ppl, g.at(scheme.cutoffs()));
    }
}
