package org.immunobench.curation.curate;

import org.immunobench.curation.accounting.DroppedRows;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.perplexity.GroupPercentiles;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policies' pure decisions. */
class CurationPolicyTest {
    private static final GroupPercentiles GROUP = new GroupPercentiles("s", "d", 100, List.of(10.0, 90.0, 95.0),
            List.of(2.0, 8.0, 9.0));

    @Test
    void keepBandKeepsTheClosedBand() {
        CurationPolicy.KeepBand p = new CurationPolicy.KeepBand(10.0, 90.0, List.of());
        assertEquals("keep_band[10,90]", p.id());
        assertNull(PolicyStage.percentileDropReason(p, Splits.ATTACK, 2.0, GROUP, 20));
        assertNull(PolicyStage.percentileDropReason(p, Splits.ATTACK, 8.0, GROUP, 20));
        assertEquals("keep_band[10,90]: ppl 1.5 below p10 2 of (source, domain)",
                PolicyStage.percentileDropReason(p, Splits.ATTACK, 1.5, GROUP, 20));
        assertEquals("keep_band[10,90]: ppl 8.25 above p90 8 of (source, domain)",
                PolicyStage.percentileDropReason(p, Splits.ATTACK, 8.25, GROUP, 20));
        assertEquals("keep_band[10,90]", DroppedRows.category(p.dropReason(100, 2, 8)));
    }

    @Test
    void dropTopTailDropsAboveItsPercentile() {
        CurationPolicy.DropTopTail p = new CurationPolicy.DropTopTail(5.0, List.of(Splits.ATTACK));
        assertEquals(List.of(95.0), p.percentiles());
        assertNull(PolicyStage.percentileDropReason(p, Splits.ATTACK, 9.0, GROUP, 20));
        assertTrue(PolicyStage.percentileDropReason(p, Splits.ATTACK, 9.01, GROUP, 20)
                .startsWith("drop_top_tail[5]: ppl 9.01 above p95 9 "));
    }

    @Test
    void percentilePoliciesLeaveOtherSplitsUnscoredRowsAndSmallGroupsAlone() {
        CurationPolicy.DropTopTail p = new CurationPolicy.DropTopTail(5.0, List.of(Splits.ATTACK));
        assertNull(PolicyStage.percentileDropReason(p, Splits.EVAL, 100.0, GROUP, 20));
        assertNull(PolicyStage.percentileDropReason(p, Splits.ATTACK, null, GROUP, 20));
        assertNull(PolicyStage.percentileDropReason(p, Splits.ATTACK, 100.0, GROUP, 101));
        assertThrows(IllegalArgumentException.class, () -> PolicyStage.percentileDropReason(
                new CurationPolicy.BalanceDomains(3, List.of()), Splits.ATTACK, 1.0, GROUP, 1));
    }

    @Test
    void balanceCapsAtAFixedNumberOrTheSmallestDomain() {
        CurationPolicy.BalanceDomains fixed = new CurationPolicy.BalanceDomains(50, List.of());
        CurationPolicy.BalanceDomains min = new CurationPolicy.BalanceDomains(null, List.of());
        assertEquals(50, fixed.cap(List.of(10L, 500L)));
        assertEquals(10, min.cap(List.of(30L, 10L, 500L)));
        assertEquals("balance_domains[min]", min.id());
        assertEquals("balance_domains[max=50]: over 50 rows of its (split, domain)", fixed.dropReason(50));
        assertThrows(IllegalArgumentException.class, () -> new CurationPolicy.BalanceDomains(0, List.of()));
    }
}
