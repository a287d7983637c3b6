package org.immunobench.lm.runtime;

import java.util.Arrays;
import java.util.Locale;

/**
 * The precision a job runs its models in ({@code --dtype}). Checkpoints are always read and widened to float32 on
 * the host a chunk at a time, copied to the device, and only there converted to the job's dtype
 * (docs/engine-notes.md, compute dtypes).
 *
 * <ul>
 *   <li>{@link #F32}: weights and arithmetic in float32. A BF16 or F16 checkpoint widens exactly.</li>
 *   <li>{@link #F16}: weight matrices stored in float16 (half the memory), matrix products and activations in
 *       float16; RMSNorm statistics, attention softmax and log-softmax in float32, as HF does in half precision.</li>
 *   <li>{@link #BF16}: weight matrices rounded to bfloat16 and kept on the device at 16 bits per value; arithmetic
 *       in float32. DJL 0.36's PyTorch binding has no bfloat16 tensor type at all (a bfloat16 tensor, even one made by
 *       {@code toType} on the device, aborts the JVM), so the bfloat16 values are held exactly as float16 times a
 *       power-of-two scale per matrix and widened to float32 where they are used. A BF16 checkpoint therefore scores
 *       bit-identically to {@link #F32}, with half the resident weight memory.</li>
 * </ul>
 * In every dtype, LoRA adapters and their optimiser state are float32 over a frozen base; updating the base weights
 * themselves needs {@link #F32}.
 */
public enum ComputeDtype {
    F32("f32"),
    F16("f16"),
    BF16("bf16");

    private final String label;

    ComputeDtype(String label) {
        this.label = label;
    }

    /** {@code f32}, {@code f16} or {@code bf16}, as on the command line. */
    public String label() {
        return label;
    }

    /** True when weight matrices are held at 16 bits and therefore frozen. */
    public boolean reduced() {
        return this != F32;
    }

    /** Parses {@code f32}/{@code float32}, {@code f16}/{@code float16}/{@code fp16}, {@code bf16}/{@code bfloat16}. */
    public static ComputeDtype parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "f32", "fp32", "float32" -> F32;
            case "f16", "fp16", "float16", "half" -> F16;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new IllegalArgumentException("dtype '" + text + "' is not one of "
                    + Arrays.stream(values()).map(ComputeDtype::label).toList());
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
