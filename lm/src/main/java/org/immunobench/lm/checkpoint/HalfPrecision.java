package org.immunobench.lm.checkpoint;

/**
 * Bit-exact conversions between float32 and the 16-bit float formats found in checkpoints: IEEE binary16 (F16)
 * and bfloat16 (BF16). Narrowing rounds to nearest, ties to even, like PyTorch's {@code .half()} and
 * {@code .bfloat16()}. Java 17 has no {@code Float.float16ToFloat}, hence this class.
 */
public final class HalfPrecision {
    private HalfPrecision() {
    }

    public static float f16ToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
    }

    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            // keep NaN a NaN even when its payload sits in the 13 bits that get dropped
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
        }
        if (abs >= 0x477FF000) {
            // 65520 is the midpoint between 65504 (max, odd mantissa) and 2^16: ties-to-even rounds it to inf
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x38800000) {
            // below 2^-14 the result is subnormal: count units of 2^-24; 1024 units carries into the min normal
            int units = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24);
            return (short) (sign | units);
        }
        int half = (abs >>> 13) - ((127 - 15) << 10);
        int dropped = abs & 0x1FFF;
        if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }

    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
