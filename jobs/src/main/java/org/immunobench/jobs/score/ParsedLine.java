package org.immunobench.jobs.score;

import java.io.Serializable;

/** What one input line becomes after parsing: a row to score, or a quarantine row saying why not. */
public sealed interface ParsedLine extends Serializable permits ScoreRequest, Quarantined {
}
