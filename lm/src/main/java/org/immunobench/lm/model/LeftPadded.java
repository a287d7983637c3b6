package org.immunobench.lm.model;

import java.util.List;

/**
 * Prompts left-padded into one (B, T) batch, so position T − 1 is every row's last prompt token: what generation
 * and last-position probes need. Pad id 0 with mask 0; RoPE positions come from the mask, so padding does not shift
 * them.
 *
 * @param tokens row-major (B, T) token ids
 * @param mask row-major (B, T), 1 for tokens, 0 for padding
 */
public record LeftPadded(long[] tokens, float[] mask, int rows, int length) {
    public static LeftPadded of(List<int[]> prompts) {
        int longest = 0;
        for (int[] p : prompts) {
            longest = Math.max(longest, p.length);
        }
        long[] tokens = new long[prompts.size() * longest];
        float[] mask = new float[prompts.size() * longest];
        for (int r = 0; r < prompts.size(); r++) {
            int[] p = prompts.get(r);
            int pad = longest - p.length;
            for (int i = 0; i < p.length; i++) {
                tokens[r * longest + pad + i] = p[i];
                mask[r * longest + pad + i] = 1f;
            }
        }
        return new LeftPadded(tokens, mask, prompts.size(), longest);
    }
}
