package org.immunobench.lm.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.immunobench.lm.scoring.ScoringInput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * An HF {@code tokenizer.json} loaded through DJL's Rust tokenizers, offline, without truncation or padding (the
 * runtime pads and windows itself). Special tokens (e.g. Llama's BOS) are added as the tokenizer's own
 * post-processor says.
 *
 * <p>Prompt/response pairs are encoded as {@code prompt + separator + response}; the scored span starts after
 * the longest token prefix shared with the encoding of the prompt alone, so a BPE merge across the boundary never
 * makes a prompt token count as response.
 */
public final class LmTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Path path;

    private LmTokenizer(HuggingFaceTokenizer tokenizer, Path path) {
        this.tokenizer = tokenizer;
        this.path = path;
    }

    public static LmTokenizer load(Path tokenizerJson) {
        if (tokenizerJson == null || !Files.isRegularFile(tokenizerJson)) {
            throw new IllegalArgumentException("tokenizer file not found: " + tokenizerJson);
        }
        try {
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new LmTokenizer(tok, tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Token ids of a text, with the tokenizer's special tokens. */
    public int[] encode(String text) {
        return toInts(tokenizer.encode(text, true, false));
    }

    /** Token ids without special tokens, e.g. for continuing a sequence. */
    public int[] encodeRaw(String text) {
        return toInts(tokenizer.encode(text, false, false));
    }

    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    /** A plain text, every token scored. */
    public ScoringInput forText(String text) {
        return new ScoringInput(encode(text), 0);
    }

    /** Prompt then response; only the response's tokens are scored. */
    public ScoringInput forPromptResponse(String prompt, String response) {
        int[] full = encode(joinPromptResponse(prompt, response));
        int[] promptIds = encode(prompt);
        int shared = 0;
        while (shared < promptIds.length && shared < full.length && promptIds[shared] == full[shared]) {
            shared++;
        }
        return new ScoringInput(full, shared);
    }

    /** The text a prompt/response pair becomes: one space between them unless either side has one already. */
    public static String joinPromptResponse(String prompt, String response) {
        if (prompt.isEmpty() || response.isEmpty() || Character.isWhitespace(prompt.charAt(prompt.length() - 1))
                || Character.isWhitespace(response.charAt(0))) {
            return prompt + response;
        }
        return prompt + " " + response;
    }

    private static int[] toInts(Encoding e) {
        return Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
