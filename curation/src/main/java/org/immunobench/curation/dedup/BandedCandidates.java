package org.immunobench.curation.dedup;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.corpus.Splits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The Spark half of banded MinHash shared by {@link NearDuplicates} and {@link Decontamination}: band keys per row,
 * candidate pairs per bucket, and the texts needed to verify them. Rows are carried through the shuffles as a 64-bit
 * hash of their id ({@code rid}, Spark's xxhash64) rather than the id string, which makes the b-fold exploded key
 * table about three times smaller; verification joins the real ids and texts back, so a hash collision can add a
 * candidate but never a false duplicate.
 */
final class BandedCandidates {
    private static final Logger LOG = LoggerFactory.getLogger(BandedCandidates.class);

    static final StructType KEYS = new StructType()
            .add("rid", DataTypes.LongType, false)
            .add("bucket", DataTypes.LongType, false)
            .add("is_eval", DataTypes.BooleanType, false);

    /** Candidate pairs (beyond = 0) and one marker row per oversized bucket (beyond = members past the cap). */
    static final StructType RAW_PAIRS = new StructType()
            .add("rid_a", DataTypes.LongType, false)
            .add("rid_b", DataTypes.LongType, false)
            .add("beyond", DataTypes.IntegerType, false);

    private BandedCandidates() {
    }

    static Column rid(Column id) {
        return xxhash64(id);
    }

    static Column isEval(Column split) {
        UserDefinedFunction f = udf((UDF1<String, Boolean>) Splits::isEval, DataTypes.BooleanType);
        return f.apply(split);
    }

    static Column dedupText(Dataset<Row> rows) {
        return concat_ws(" ", rows.col("prompt"), rows.col("response"));
    }

    static Column jaccard(Column textA, Column textB, int shingleSize) {
        UserDefinedFunction f = udf((UDF2<String, String, Double>) (x, y) -> Jaccard.of(x, y, shingleSize),
                DataTypes.DoubleType);
        return f.apply(textA, textB);
    }

    /** Fails naming the job and the column when a required column is missing or has another type. */
    static void requireColumns(StructType schema, String job, List<String> names, List<DataType> types) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!Arrays.asList(schema.fieldNames()).contains(name)) {
                throw new IllegalArgumentException(job + ": input lacks column '" + name + "' (has "
                        + Arrays.toString(schema.fieldNames()) + ")");
            }
            StructField f = schema.apply(name);
            if (!f.dataType().equals(types.get(i))) {
                throw new IllegalArgumentException(job + ": column '" + name + "' must be " + types.get(i)
                        .simpleString() + ", is " + f.dataType().simpleString());
            }
        }
        for (String out : List.of(Dropped.REASON, Dropped.JACCARD)) {
            if (Arrays.asList(schema.fieldNames()).contains(out)) {
                throw new IllegalArgumentException(job + ": input already has output column '" + out + "'");
            }
        }
    }

    /**
     * b rows (rid, bucket, is_eval) per input row; signatures are computed in mapPartitions with one
     * {@link MinHasher} per partition. Needs columns id, prompt, response, and split when {@code withSide}.
     */
    static Dataset<Row> keys(Dataset<Row> rows, MinHashConfig config, boolean withSide) {
        Dataset<Row> in = rows.select(rid(rows.col("id")), rows.col("prompt"), rows.col("response"),
                withSide ? isEval(rows.col("split")) : lit(false));
        return in.mapPartitions((MapPartitionsFunction<Row, Row>) it -> new KeyRows(it, new MinHasher(config)),
                Encoders.row(KEYS));
    }

    /**
     * Candidate pairs from the key table: rows sorted by bucket, each bucket's run paired by {@link BucketPairs}.
     * Self mode gives (rid_a < rid_b); cross mode gives (rid_a eval, rid_b training). Materialised; the guard is
     * counted from marker rows in the data (exact under task retries, unlike accumulators) and logged when it fired.
     */
    static CandidatePairs pairs(Dataset<Row> keys, MinHashConfig config, boolean cross, String job) {
        int cap = config.maxBucketSize();
        Dataset<Row> raw = Lineage.cut(keys.repartition(col("bucket"))
                .sortWithinPartitions("bucket", "rid", "is_eval")
                .mapPartitions((MapPartitionsFunction<Row, Row>) it -> new BucketRuns(it, cap, cross),
                        Encoders.row(RAW_PAIRS)));
        Row guard = raw.filter(col("beyond").gt(0))
                .agg(count(lit(1)), coalesce(sum(col("beyond")), lit(0L)))
                .first();
        long oversized = guard.getLong(0);
        long members = guard.getLong(1);
        Dataset<Row> pairs = Lineage.cut(raw.filter(col("beyond").equalTo(0)).select("rid_a", "rid_b").distinct());
        long count = pairs.count();
        if (oversized > 0) {
            LOG.warn("{}: {} MinHash bucket(s) had more than max_bucket_size={} members; {} member(s) were paired "
                    + "only with their bucket's first member (templated text? raise max_bucket_size)", job, oversized,
                    cap, members);
        }
        return new CandidatePairs(pairs, count, oversized, members);
    }

    /** (rid, id, is_eval, text) of every row that occurs in a candidate pair, materialised. */
    static Dataset<Row> texts(Dataset<Row> rows, Dataset<Row> pairs, boolean withSide) {
        Dataset<Row> rids = pairs.select(col("rid_a").as("rid"))
                .union(pairs.select(col("rid_b").as("rid")))
                .distinct();
        Dataset<Row> texts = rows.select(rid(rows.col("id")).as("rid"), rows.col("id"),
                        withSide ? isEval(rows.col("split")).as("is_eval") : lit(false).as("is_eval"),
                        dedupText(rows).as("text"))
                .join(rids, "rid", "left_semi");
        return Lineage.cut(texts);
    }

    /** Emits b key rows per input row (rid, prompt, response, is_eval). */
    private static final class KeyRows implements Iterator<Row> {
        private final Iterator<Row> in;
        private final MinHasher hasher;
        private long[] keys = new long[0];
        private int next;
        private long rid;
        private boolean eval;

        KeyRows(Iterator<Row> in, MinHasher hasher) {
            this.in = in;
            this.hasher = hasher;
        }

        @Override
        public boolean hasNext() {
            while (next >= keys.length) {
                if (!in.hasNext()) {
                    return false;
                }
                Row r = in.next();
                rid = r.getLong(0);
                eval = r.getBoolean(3);
                keys = hasher.bandKeys(hasher.signature(r.getString(1), r.getString(2)));
                next = 0;
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return RowFactory.create(rid, keys[next++], eval);
        }
    }

    /** Scans (bucket, rid, is_eval) rows sorted by bucket and emits each bucket's candidate pairs. */
    private static final class BucketRuns implements Iterator<Row> {
        private final Iterator<Row> in;
        private final int cap;
        private final boolean cross;
        private long[] members = new long[16];
        private boolean[] evals = new boolean[16];
        private final List<long[]> out = new ArrayList<>();
        private int outNext;
        private Row lookahead;

        BucketRuns(Iterator<Row> in, int cap, boolean cross) {
            this.in = in;
            this.cap = cap;
            this.cross = cross;
        }

        @Override
        public boolean hasNext() {
            while (outNext >= out.size()) {
                out.clear();
                outNext = 0;
                if (!fillFromNextBucket()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            long[] p = out.get(outNext++);
            return RowFactory.create(p[0], p[1], (int) p[2]);
        }

        /** Reads one bucket's run and pairs it; false at the end of the partition. */
        private boolean fillFromNextBucket() {
            Row first = lookahead != null ? lookahead : (in.hasNext() ? in.next() : null);
            lookahead = null;
            if (first == null) {
                return false;
            }
            long bucket = first.getLong(1);
            int n = 0;
            Row r = first;
            while (true) {
                if (n == members.length) {
                    members = Arrays.copyOf(members, n * 2);
                    evals = Arrays.copyOf(evals, n * 2);
                }
                members[n] = r.getLong(0);
                evals[n] = r.getBoolean(2);
                n++;
                if (!in.hasNext()) {
                    break;
                }
                r = in.next();
                if (r.getLong(1) != bucket) {
                    lookahead = r;
                    break;
                }
            }
            if (n < 2) {
                return true;
            }
            int over = cross
                    ? BucketPairs.cross(members, evals, n, cap, (x, y) -> out.add(new long[]{x, y, 0}))
                    : BucketPairs.self(members, n, cap, (x, y) -> out.add(new long[]{x, y, 0}));
            if (over > 0) {
                out.add(new long[]{bucket, bucket, over});
            }
            return true;
        }
    }
}
