package org.immunobench.jobs.score;

import java.io.Serializable;

/** What one input line ends as: scored, or quarantined (at parse time or at tokenization time). */
public sealed interface ScoreOutcome extends Serializable permits Scored, Quarantined {
}
