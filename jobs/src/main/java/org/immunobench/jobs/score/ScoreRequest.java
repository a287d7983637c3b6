package org.immunobench.jobs.score;

import java.util.Objects;

/**
 * A valid input row: either a plain {@code text} (every token scored) or a {@code prompt}/{@code response} pair
 * (only response tokens scored). {@code raw} is kept, already truncated, so a row that fails later at tokenization
 * can still be quarantined with its content.
 */
public record ScoreRequest(String id, String text, String prompt, String response, String source, long line,
        String raw) implements ParsedLine {

    public ScoreRequest {
        Objects.requireNonNull(id, "id");
        if ((text == null) == (prompt == null || response == null)) {
            throw new IllegalArgumentException("a request has either text or prompt and response");
        }
        raw = Quarantined.truncate(raw);
    }

    public static ScoreRequest text(String id, String text, String source, long line, String raw) {
        return new ScoreRequest(id, text, null, null, source, line, raw);
    }

    public static ScoreRequest promptResponse(String id, String prompt, String response, String source, long line,
            String raw) {
        return new ScoreRequest(id, null, prompt, response, source, line, raw);
    }

    public boolean isPromptResponse() {
        return text == null;
    }

    public Quarantined quarantine(String reason) {
        return new Quarantined(source, line, raw, reason);
    }
}
