package org.immunobench.curation.perplexity;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

/**
 * Perplexity percentiles of one (source, domain) group of scored rows.
 *
 * <p>Computed exactly ({@link Percentiles}, linear interpolation), not with Spark's {@code approxQuantile}: the
 * ppl values of a group are collected into one list on an executor and the percentiles taken there, so only the
 * few numbers per group reach the driver. Memory is 8 bytes per row of the largest group in one task — a
 * million-row group is 8 MB — which is what buys exact, reproducible cut-offs that tests can check against numpy.
 *
 * @param n scored rows in the group
 * @param percents the percentiles taken, ascending
 * @param values the group's perplexity at each of {@code percents}
 */
public record GroupPercentiles(String source, String domain, long n, List<Double> percents, List<Double> values)
        implements Serializable {

    public GroupPercentiles {
        percents = List.copyOf(percents);
        values = List.copyOf(values);
        if (percents.size() != values.size()) {
            throw new IllegalArgumentException("percents and values differ in length");
        }
    }

    /** The group's percentile {@code percent}, which must be one of {@link #percents}. */
    public double at(double percent) {
        int i = percents.indexOf(percent);
        if (i < 0) {
            throw new IllegalArgumentException("percentile " + percent + " was not computed (have " + percents + ")");
        }
        return values.get(i);
    }

    /** The values at {@code wanted}, in that order. */
    public double[] at(List<Double> wanted) {
        double[] out = new double[wanted.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = at(wanted.get(i));
        }
        return out;
    }

    /** Every (source, domain) group of rows with a non-null {@code ppl}, with its percentiles at {@code percents}. */
    public static List<GroupPercentiles> of(Dataset<Row> rows, List<Double> percents) {
        List<Double> ps = percents.stream().distinct().sorted().toList();
        double[] p = ps.stream().mapToDouble(Double::doubleValue).toArray();
        UserDefinedFunction take = udf((UDF1<scala.collection.Seq<Double>, List<Double>>) values -> {
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.apply(i);
            }
            List<Double> out = new ArrayList<>();
            for (double x : Percentiles.of(v, p)) {
                out.add(x);
            }
            return out;
        }, DataTypes.createArrayType(DataTypes.DoubleType));
        List<GroupPercentiles> out = new ArrayList<>();
        for (Row r : rows.filter(col("ppl").isNotNull())
                .groupBy("source", "domain")
                .agg(count(lit(1)).as("n"), collect_list(col("ppl")).as("ppl"))
                .select(col("source"), col("domain"), col("n"), take.apply(col("ppl")))
                .orderBy("source", "domain")
                .collectAsList()) {
            out.add(new GroupPercentiles(r.getString(0), r.getString(1), r.getLong(2), ps, r.getList(3)));
        }
        return out;
    }

    /** Groups by (source, domain), for lookups on executors. */
    public static Map<List<String>, GroupPercentiles> byKey(List<GroupPercentiles> groups) {
        Map<List<String>, GroupPercentiles> m = new HashMap<>();
        groups.forEach(g -> m.put(List.of(g.source(), g.domain()), g));
        return m;
    }
}
