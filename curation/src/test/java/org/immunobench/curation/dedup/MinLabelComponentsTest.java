package org.immunobench.curation.dedup;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.testing.TestSpark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinLabelComponentsTest {
    private static final StructType EDGES = new StructType()
            .add("a", DataTypes.StringType, false)
            .add("b", DataTypes.StringType, false);

    @Test
    void chainAndPairAreTwoComponents() {
        Map<String, String> labels = components(List.of(edge("b", "c"), edge("a", "b"), edge("e", "d"),
                edge("d", "e")));
        assertEquals(Map.of("a", "a", "b", "a", "c", "a", "d", "d", "e", "d"), labels);
    }

    @Test
    void longChainConvergesInFewRounds() {
        List<Row> edges = new ArrayList<>();
        for (int i = 0; i < 255; i++) {
            // Labels in reverse order of the chain, so the smallest id sits at the far end.
            edges.add(edge(String.format("v%03d", 255 - i), String.format("v%03d", 254 - i)));
        }
        MinLabelComponents.Result r = MinLabelComponents.of(TestSpark.get().createDataFrame(edges, EDGES));
        Map<String, String> labels = collect(r);
        assertEquals(256, labels.size());
        assertTrue(labels.values().stream().allMatch("v000"::equals), labels.toString());
        System.out.printf("chain of 256 vertices: %d rounds%n", r.rounds());
        assertTrue(r.rounds() <= 12, "rounds " + r.rounds());
    }

    @Test
    void noEdgesNoLabels() {
        assertEquals(Map.of(), components(List.of()));
    }

    private static Map<String, String> components(List<Row> edges) {
        return collect(MinLabelComponents.of(TestSpark.get().createDataFrame(edges, EDGES)));
    }

    private static Map<String, String> collect(MinLabelComponents.Result r) {
        Map<String, String> out = new TreeMap<>();
        for (Row x : r.labels().collectAsList()) {
            out.put(x.getString(0), x.getString(1));
        }
        return out;
    }

    private static Row edge(String a, String b) {
        return RowFactory.create(a, b);
    }
}
