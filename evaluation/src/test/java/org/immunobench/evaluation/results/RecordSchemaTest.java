package org.immunobench.evaluation.results;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordSchemaTest {
    @Test
    void metricRowRoundTripsThroughASparkRowWithSnakeCaseColumns() {
        RecordSchema<MetricRow> s = RecordSchema.of(MetricRow.class);
        assertEquals("checkpoint_id", s.schema().fields()[2].name());
        assertEquals("higher_is_better", s.schema().fields()[16].name());
        MetricRow m = new MetricRow("run", "task", "ck", "parent", "lox", "open_weight", "harmful_sft", "{}",
                "attack", 3, 8, "resistance", "harmful_rate", 0.25, 64, "toyworld_oracle", false, "2026-12-01T00:00Z",
                "0.1");
        Row plain = s.toRow(m);
        Object[] values = new Object[plain.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = plain.get(i);
        }
        Row row = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, s.schema());
        assertEquals(m, s.fromRow(row));
    }

    @Test
    void unsupportedComponentTypesAreNamed() {
        record Bad(java.util.List<String> xs) {
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordSchema.structOf(Bad.class));
        assertEquals("Bad.xs: type List has no column mapping (String, long, int, double, boolean)", e.getMessage());
    }
}
