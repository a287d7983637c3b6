package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.min;

/**
 * Connected components of an undirected graph given as string edges, in Spark SQL: every vertex's label starts as
 * the smallest of itself and its neighbours, then each round takes the smallest label among the neighbours and jumps
 * to its label's label, until no label changes. The fixed point labels every vertex with the smallest vertex id of
 * its component. Pointer jumping makes long chains converge in about log2(length) rounds rather than length rounds.
 * Each round is cut from the lineage ({@link Lineage}) so query plans stay small.
 */
public final class MinLabelComponents {
    /** Hard stop: pointer jumping converges in ~log2(diameter) rounds, so hitting this means a bug, not a big graph. */
    public static final int MAX_ROUNDS = 200;

    /**
     * @param labels (id, cluster) for every vertex that has an edge; cluster = smallest id in its component
     * @param rounds propagation rounds until no label changed
     */
    public record Result(Dataset<Row> labels, int rounds) {
    }

    private MinLabelComponents() {
    }

    /** @param edges columns {@code a}, {@code b} (strings); direction and duplicates do not matter */
    public static Result of(Dataset<Row> edges) {
        Dataset<Row> adj = Lineage.cut(edges.select(col("a").as("src"), col("b").as("dst"))
                .union(edges.select(col("b").as("src"), col("a").as("dst")))
                .filter(col("src").notEqual(col("dst")))
                .distinct());
        Dataset<Row> labels = Lineage.cut(adj.groupBy("src").agg(min("dst").as("m"))
                .select(col("src").as("id"), least(col("src"), col("m")).as("cluster")));
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Dataset<Row> fromNeighbours = adj.join(labels, adj.col("src").equalTo(labels.col("id")))
                    .groupBy(adj.col("dst").as("v"))
                    .agg(min(labels.col("cluster")).as("m"));
            Dataset<Row> propagated = labels.join(fromNeighbours, labels.col("id").equalTo(fromNeighbours.col("v")))
                    .select(labels.col("id"), least(labels.col("cluster"), fromNeighbours.col("m")).as("cluster"));
            Dataset<Row> p = propagated.as("p");
            Dataset<Row> q = propagated.as("q");
            Dataset<Row> jumped = Lineage.cut(p.join(q, col("p.cluster").equalTo(col("q.id")))
                    .select(col("p.id").as("id"), col("q.cluster").as("cluster")));
            Dataset<Row> before = labels.as("o");
            long changed = jumped.as("n").join(before, col("n.id").equalTo(col("o.id")))
                    .filter(col("n.cluster").notEqual(col("o.cluster")))
                    .count();
            labels = jumped;
            if (changed == 0) {
                return new Result(labels, round);
            }
        }
        throw new IllegalStateException("connected components did not converge in " + MAX_ROUNDS + " rounds");
    }
}
