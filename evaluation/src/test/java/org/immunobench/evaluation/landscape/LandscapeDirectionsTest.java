package org.immunobench.evaluation.landscape;

import org.immunobench.lm.checkpoint.HostTensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LandscapeDirectionsTest {
    private static HostTensor t(String name, long[] shape, float... data) {
        return new HostTensor(name, shape, data);
    }

    /** A (3, 2) matrix with rows of norm 5, 1 and 0, and a 1-D norm weight. */
    private static Map<String, HostTensor> origin() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("w", t("w", new long[]{3, 2}, 3, 4, 0, 1, 0, 0));
        m.put("norm", t("norm", new long[]{2}, 1, 1));
        return m;
    }

    @Test
    void randomDirectionsAreFilterNormalisedAndZeroOnVectors() {
        Map<String, HostTensor> d = LandscapeDirections.random(origin(), 7);
        float[] w = d.get("w").data();
        assertEquals(5.0, LandscapeDirections.norm(w, 0, 2), 1e-5, "row 0 takes the norm of θ's row 0");
        assertEquals(1.0, LandscapeDirections.norm(w, 2, 2), 1e-6);
        assertEquals(0.0, LandscapeDirections.norm(w, 4, 2), 1e-9, "a zero filter of θ stays zero");
        assertArrayEquals(new float[]{0, 0}, d.get("norm").data(), "norm weights are not perturbed");
        assertArrayEquals(new long[]{3, 2}, d.get("w").shape());
    }

    @Test
    void randomDirectionsDependOnTheSeedOnlyNotOnTensorOrder() {
        Map<String, HostTensor> reversed = new LinkedHashMap<>();
        reversed.put("norm", origin().get("norm"));
        reversed.put("w", origin().get("w"));
        assertArrayEquals(LandscapeDirections.random(origin(), 7).get("w").data(),
                LandscapeDirections.random(reversed, 7).get("w").data(), 0f);
        float[] other = LandscapeDirections.random(origin(), 8).get("w").data();
        assertFalse(java.util.Arrays.equals(other, LandscapeDirections.random(origin(), 7).get("w").data()));
    }

    @Test
    void differencePointAndTheOriginBitForBit() {
        Map<String, HostTensor> target = new LinkedHashMap<>();
        target.put("w", t("w", new long[]{3, 2}, 4, 4, 0, 3, 1, 0));
        target.put("norm", t("norm", new long[]{2}, 1, 2));
        Map<String, HostTensor> d1 = LandscapeDirections.difference(target, origin());
        assertArrayEquals(new float[]{1, 0, 0, 2, 1, 0}, d1.get("w").data(), 0f);
        assertArrayEquals(new float[]{0, 1}, d1.get("norm").data(), 0f);

        Map<String, HostTensor> d2 = new LinkedHashMap<>();
        d2.put("w", t("w", new long[]{3, 2}, 1, 1, 1, 1, 1, 1));
        d2.put("norm", t("norm", new long[]{2}, 0, 0));
        Map<String, HostTensor> p = LandscapeDirections.point(origin(), List.of(d1, d2), new double[]{0.5, -2});
        // θ + 0.5 d1 − 2 d2
        assertArrayEquals(new float[]{1.5f, 2, -2, 0, -1.5f, -2}, p.get("w").data(), 1e-6f);
        assertArrayEquals(new float[]{1, 1.5f}, p.get("norm").data(), 1e-6f);

        Map<String, HostTensor> at0 = LandscapeDirections.point(origin(), List.of(d1, d2), new double[]{0, 0});
        assertArrayEquals(origin().get("w").data(), at0.get("w").data(), 0f);
        Map<String, HostTensor> at1 = LandscapeDirections.point(origin(), List.of(d1), new double[]{1});
        assertArrayEquals(target.get("w").data(), at1.get("w").data(), 0f, "coordinate 1 is the target");
    }

    @Test
    void mismatchedCheckpointsAreNamed() {
        Map<String, HostTensor> other = new LinkedHashMap<>();
        other.put("w", t("w", new long[]{2, 3}, 0, 0, 0, 0, 0, 0));
        other.put("bias", t("bias", new long[]{2}, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LandscapeDirections.difference(other, origin()));
        assertTrue(e.getMessage().contains("[bias]") && e.getMessage().contains("[norm]"), e.getMessage());
        other.remove("bias");
        other.put("norm", origin().get("norm"));
        e = assertThrows(IllegalArgumentException.class, () -> LandscapeDirections.difference(other, origin()));
        assertTrue(e.getMessage().contains("tensor w has shape [2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LandscapeDirections.point(origin(), List.of(origin()), new double[]{1, 2}));
    }

    @Test
    void gridsHoldTheirEndsAndAnExactZero() {
        assertArrayEquals(new double[]{-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5},
                LandscapeDirections.grid(-0.5, 1.5, 9), 1e-15);
        double[] g = LandscapeDirections.grid(-1, 1, 7);
        assertEquals(0.0, g[3], 0.0);
        assertEquals(1.0, g[6], 0.0);
        assertThrows(IllegalArgumentException.class, () -> LandscapeDirections.grid(1, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> LandscapeDirections.grid(0, 1, 1));
    }
}
