package org.immunobench.jobs;

import org.immunobench.lm.runtime.ComputeDtype;
import picocli.CommandLine.Option;

/** {@code --dtype}: the precision models run in (a picocli mixin; see {@link ComputeDtype}). */
public final class DtypeOption {
    @Option(names = "--dtype", paramLabel = "f32|f16|bf16", defaultValue = "f32",
            description = "Precision of weights and arithmetic: f32; f16 (matrices and activations in float16); bf16"
                    + " (matrices rounded to bfloat16 and kept at 16 bits, arithmetic in float32). Reduced precision"
                    + " freezes the base weights: only LoRA adapters (float32) can be trained. Default: ${DEFAULT-VALUE}.")
    private ComputeDtype dtype;

    public ComputeDtype dtype() {
        return dtype;
    }
}
