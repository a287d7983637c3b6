package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Dtype changes that autograd can see through.
 *
 * <p>DJL 0.36's {@code NDArray.toType} runs libtorch's {@code to} under a no-grad guard, so a cast on the path from a
 * loss to a trainable array silently cuts the gradient ("element 0 of tensors does not require grad"). LoRA over an
 * f16 base crosses such casts in every layer (softmax and RMSNorm statistics in float32, adapters in float32). A
 * cumulative product over a new axis of length 1 is the identity, and libtorch's {@code cumprod(dim, dtype)} converts
 * its input first, differentiably, with a backward that passes the gradient straight through for a length-1 axis.
 */
public final class Casts {
    private Casts() {
    }

    /** {@code x} as {@code type}, differentiably; {@code x} itself when it already is. */
    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        return x.expandDims(-1).cumProd(-1, type).squeeze(-1);
    }
}
