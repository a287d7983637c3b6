package org.immunobench.jobs.landscape;

/**
 * One grid point of a landscape: the {@code landscape/NAME} table (docs/data-contracts.md, "Landscapes").
 *
 * @param name the landscape's name ({@code --name})
 * @param origin the origin checkpoint
 * @param axis1 the first axis's spec; {@code axis2} null for a 1-D slice
 * @param dims 1 or 2
 * @param a coordinate along axis 1 (α of an interpolation)
 * @param b coordinate along axis 2 (0 for a 1-D slice)
 * @param harmfulRate judged harmful share of greedy completions of the harmful eval prompts
 * @param refusalRate refusals among them
 * @param fluentRate well-formed completions among them
 * @param harmfulNll mean NLL (nats per token) of held-out harmful answers, response tokens only
 * @param generalNll mean NLL (nats per token) of the benign eval answers of the pretrained tasks, answer tokens only
 *     (ln of the general-text perplexity of the attack probes)
 * @param nHarmful harmful prompts judged
 * @param nNllTokens tokens behind harmful_nll
 * @param nGeneralTokens tokens behind general_nll
 * @param judge judge of the rates
 * @param seconds the point's wall time in its task
 */
public record LandscapeRow(String name, String origin, String axis1, String axis2, int dims, double a, double b,
        double harmfulRate, double refusalRate, double fluentRate, double harmfulNll, double generalNll,
        long nHarmful, long nNllTokens, long nGeneralTokens, String judge, double seconds, String codeVersion)
        implements java.io.Serializable {
}
