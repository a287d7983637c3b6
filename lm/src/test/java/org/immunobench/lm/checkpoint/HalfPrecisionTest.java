package org.immunobench.lm.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfPrecisionTest {

    @Test
    void knownF16BitPatterns() {
        assertEquals(1.0f, HalfPrecision.f16ToFloat((short) 0x3C00));
        assertEquals(-2.0f, HalfPrecision.f16ToFloat((short) 0xC000));
        assertEquals(65504f, HalfPrecision.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, HalfPrecision.f16ToFloat((short) 0x0001)); // 5.96e-8, smallest subnormal
        assertEquals(5.9604645e-8f, HalfPrecision.f16ToFloat((short) 0x0001));
        assertEquals(0x1p-14f, HalfPrecision.f16ToFloat((short) 0x0400)); // smallest normal
        assertEquals(0x3FFp-24f, HalfPrecision.f16ToFloat((short) 0x03FF)); // largest subnormal
        assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.f16ToFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, HalfPrecision.f16ToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(HalfPrecision.f16ToFloat((short) 0x7E00)));
        assertTrue(Float.isNaN(HalfPrecision.f16ToFloat((short) 0x7C01)));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(HalfPrecision.f16ToFloat((short) 0x8000)));

        assertEquals((short) 0x3C00, HalfPrecision.floatToF16(1.0f));
        assertEquals((short) 0x0001, HalfPrecision.floatToF16(0x1p-24f));
        assertEquals((short) 0x7C00, HalfPrecision.floatToF16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7C00, HalfPrecision.floatToF16(1e6f));
        assertEquals((short) 0x7BFF, HalfPrecision.floatToF16(65519.99f));
        assertEquals((short) 0x7C00, HalfPrecision.floatToF16(65520f)); // tie goes to even = inf
        assertEquals((short) 0x0000, HalfPrecision.floatToF16(0x1p-25f)); // tie to even = 0
        assertEquals((short) 0x0001, HalfPrecision.floatToF16(0x1.000002p-25f));
        assertEquals((short) 0x8000, HalfPrecision.floatToF16(-0.0f));
        assertTrue(Float.isNaN(HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(Float.NaN))));
        // a NaN whose payload lies only in the dropped low bits must stay NaN
        assertTrue(Float.isNaN(HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(Float.intBitsToFloat(0x7F800001)))));
    }

    @Test
    void knownBf16BitPatterns() {
        assertEquals(1.0f, HalfPrecision.bf16ToFloat((short) 0x3F80));
        assertEquals(-2.0f, HalfPrecision.bf16ToFloat((short) 0xC000));
        assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.bf16ToFloat((short) 0x7F80));
        assertTrue(Float.isNaN(HalfPrecision.bf16ToFloat((short) 0x7FC0)));
        assertEquals((short) 0x3F80, HalfPrecision.floatToBf16(1.0f));
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1.0); just above goes up
        assertEquals((short) 0x3F80, HalfPrecision.floatToBf16(1.0f + 0x1p-8f));
        assertEquals((short) 0x3F81, HalfPrecision.floatToBf16(1.0f + 0x1p-8f + 0x1p-23f));
        // 1 + 3*2^-8 is halfway between 0x3F81 and 0x3F82: ties to even (0x3F82)
        assertEquals((short) 0x3F82, HalfPrecision.floatToBf16(1.0f + 3 * 0x1p-8f));
        assertEquals((short) 0x7F80, HalfPrecision.floatToBf16(Float.MAX_VALUE));
        assertTrue(Float.isNaN(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(Float.intBitsToFloat(0x7F800001)))));
    }

    @Test
    void everyF16ValueRoundTripsBitExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfPrecision.f16ToFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(f))));
            } else {
                assertEquals(h, HalfPrecision.floatToF16(f) & 0xFFFF, "f16 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void everyBf16ValueRoundTripsBitExactly() {
        for (int b = 0; b < 0x10000; b++) {
            float f = HalfPrecision.bf16ToFloat((short) b);
            if (!Float.isNaN(f)) {
                assertEquals(b, HalfPrecision.floatToBf16(f) & 0xFFFF, "bf16 0x" + Integer.toHexString(b));
            }
        }
    }

    /** Against a reference that picks the nearest of the two neighbouring halves in double arithmetic. */
    @Test
    void f16NarrowingIsRoundToNearestEven() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(f) || Math.abs(f) >= 65520f) {
                continue;
            }
            assertEquals(referenceF16(f), HalfPrecision.floatToF16(f), "value " + f);
        }
        // midpoints between consecutive positive halves, and their float neighbours
        for (int h = 0; h < 0x7BFF; h++) {
            double lo = HalfPrecision.f16ToFloat((short) h);
            double hi = HalfPrecision.f16ToFloat((short) (h + 1));
            float mid = (float) ((lo + hi) / 2);
            assertEquals(mid, (lo + hi) / 2, 0.0, "midpoint must be exact in float");
            assertEquals((h & 1) == 0 ? h : h + 1, HalfPrecision.floatToF16(mid) & 0xFFFF, "midpoint " + mid);
            assertEquals(h, HalfPrecision.floatToF16(Math.nextDown(mid)) & 0xFFFF);
            assertEquals(h + 1, HalfPrecision.floatToF16(Math.nextUp(mid)) & 0xFFFF);
        }
    }

    private static short referenceF16(float f) {
        int sign = f < 0 || (f == 0 && 1 / f < 0) ? 0x8000 : 0;
        double a = Math.abs((double) f);
        int lo = 0;
        int hi = 0x7BFF;
        while (lo < hi) { // largest half magnitude <= a
            int mid = (lo + hi + 1) >>> 1;
            if (HalfPrecision.f16ToFloat((short) mid) <= a) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int best = lo;
        if (lo < 0x7BFF) {
            double down = a - HalfPrecision.f16ToFloat((short) lo);
            double up = HalfPrecision.f16ToFloat((short) (lo + 1)) - a;
            if (up < down || (up == down && (lo & 1) == 1)) {
                best = lo + 1;
            }
        } else if (a - 65504.0 >= 16.0) {
            best = 0x7C00;
        }
        return (short) (sign | best);
    }
}
