package org.immunobench.curation.validate;

/**
 * Thrown while reading one row when the row cannot enter the corpus; becomes its quarantine reason. Carries no
 * stack trace: bad rows are expected input, and a corpus can have millions of them.
 */
public final class BadRow extends RuntimeException {
    private final String field;
    private final String problem;

    /**
     * @param field the source field at fault ({@code row} for the record as a whole)
     * @param problem what is wrong with it
     */
    public BadRow(String field, String problem) {
        super(field + ": " + problem, null, false, false);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }

    /** {@code field: problem}, the text written to the quarantine. */
    public String reason() {
        return getMessage();
    }
}
