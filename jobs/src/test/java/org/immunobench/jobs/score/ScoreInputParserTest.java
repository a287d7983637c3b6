package org.immunobench.jobs.score;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreInputParserTest {
    private static final String SRC = "in.jsonl";

    private static ScoreRequest ok(String line) {
        return assertInstanceOf(ScoreRequest.class, ScoreInputParser.parseJsonLine(SRC, 7, line));
    }

    private static Quarantined bad(String line) {
        Quarantined q = assertInstanceOf(Quarantined.class, ScoreInputParser.parseJsonLine(SRC, 7, line));
        assertEquals(SRC, q.source());
        assertEquals(7, q.line());
        assertEquals(line, q.raw());
        return q;
    }

    @Test
    void textRowKeepsItsStringId() {
        ScoreRequest r = ok("{\"id\":\"doc-1\",\"text\":\"hello world\",\"extra\":[1]}");
        assertEquals("doc-1", r.id());
        assertEquals("hello world", r.text());
        assertTrue(!r.isPromptResponse());
        assertEquals(7, r.line());
        assertEquals(SRC, r.source());
    }

    @Test
    void numericIdIsKeptAsText() {
        assertEquals("42", ok("{\"id\":42,\"text\":\"a\"}").id());
        assertEquals("12345678901234567890", ok("{\"id\":12345678901234567890,\"text\":\"a\"}").id());
        assertEquals("1.5", ok("{\"id\":1.5,\"text\":\"a\"}").id());
    }

    @Test
    void missingIdIsTheContentHash() {
        ScoreRequest r = ok("{\"text\":\"hello world\"}");
        assertEquals(ScoreInputParser.contentId("hello world"), r.id());
        assertEquals(16, r.id().length());
        assertTrue(r.id().matches("[0-9a-f]{16}"));
        // SHA-256("abc") starts with ba7816bf8f01cfea
        assertEquals("ba7816bf8f01cfea", ScoreInputParser.contentId("abc"));
        assertEquals(r.id(), ok("{\"id\":null,\"text\":\"hello world\"}").id(), "null id counts as absent");
    }

    @Test
    void promptResponseRowHashesBothParts() {
        ScoreRequest r = ok("{\"prompt\":\"q\",\"response\":\"a b\"}");
        assertTrue(r.isPromptResponse());
        assertEquals("q", r.prompt());
        assertEquals("a b", r.response());
        assertNull(r.text());
        assertEquals(ScoreInputParser.contentId("q\u0000a b"), r.id());
        assertNotEquals(ScoreInputParser.contentId("q a b"), r.id());
        assertEquals("", ok("{\"prompt\":\"\",\"response\":\"a\"}").prompt(), "empty prompt is allowed");
    }

    @Test
    void everyBadRowSaysWhy() {
        assertEquals("blank line", bad("").reason());
        assertEquals("blank line", bad("  \t").reason());
        assertTrue(bad("{\"text\": \"a\"").reason().startsWith("malformed JSON: "));
        assertTrue(bad("{\"text\":\"a\"} {\"text\":\"b\"}").reason().startsWith("malformed JSON: "));
        assertTrue(bad("{\"text\":\"a\",\"text\":\"b\"}").reason().contains("Duplicate field 'text'"));
        assertEquals("not a JSON object (found array)", bad("[1,2]").reason());
        assertEquals("not a JSON object (found string)", bad("\"text\"").reason());
        assertEquals("has both text and prompt/response; give one or the other",
                bad("{\"text\":\"a\",\"prompt\":\"b\",\"response\":\"c\"}").reason());
        assertEquals("has both text and prompt/response; give one or the other",
                bad("{\"text\":\"a\",\"response\":\"c\"}").reason());
        assertEquals("missing field: text, or prompt and response", bad("{\"body\":\"a\"}").reason());
        assertEquals("missing field: text, or prompt and response", bad("{\"text\":null}").reason());
        assertEquals("missing field: response (prompt given)", bad("{\"prompt\":\"a\"}").reason());
        assertEquals("missing field: prompt (response given)", bad("{\"response\":\"a\"}").reason());
        assertEquals("field 'text' must be a string, got number", bad("{\"text\":5}").reason());
        assertEquals("field 'prompt' must be a string, got array", bad("{\"prompt\":[],\"response\":\"a\"}").reason());
        assertEquals("field 'response' must be a string, got object",
                bad("{\"prompt\":\"a\",\"response\":{}}").reason());
        assertEquals("empty text", bad("{\"text\":\"\"}").reason());
        assertEquals("empty text", bad("{\"text\":\" \\n \"}").reason());
        assertEquals("empty response", bad("{\"prompt\":\"a\",\"response\":\"  \"}").reason());
        assertEquals("field 'id' must be a string or number, got boolean",
                bad("{\"id\":true,\"text\":\"a\"}").reason());
        assertEquals("empty id", bad("{\"id\":\" \",\"text\":\"a\"}").reason());
    }

    @Test
    void malformedJsonReasonIsOneLineWithTheColumn() {
        String reason = bad("{\"text\": oops}").reason();
        assertTrue(!reason.contains("\n"), reason);
        assertTrue(reason.contains("(column "), reason);
    }

    @Test
    void byteOrderMarkIsIgnored() {
        assertEquals("a", ok("\uFEFF{\"text\":\"a\"}").text());
    }

    @Test
    void rawIsTruncatedTo500CharsWithoutSplittingASurrogatePair() {
        String longBad = "[" + "1,".repeat(600) + "1]";
        Quarantined q = assertInstanceOf(Quarantined.class, ScoreInputParser.parseJsonLine(SRC, 1, longBad));
        assertEquals(Quarantined.MAX_RAW_CHARS, q.raw().length());
        String emoji = "x".repeat(499) + "\uD83D\uDE00" + "y";
        assertEquals(499, new Quarantined(SRC, 1, emoji, "r").raw().length());
        String text = "a ".repeat(400);
        ScoreRequest r = ok("{\"text\":\"" + text + "\"}");
        assertEquals(text, r.text(), "the text itself is never truncated");
        assertEquals(Quarantined.MAX_RAW_CHARS, r.raw().length());
    }

    @Test
    void columnsFollowTheSameRules() {
        ScoreRequest r = assertInstanceOf(ScoreRequest.class,
                ScoreInputParser.fromColumns("f.parquet", 3, 17L, "hello", null, null));
        assertEquals("17", r.id());
        assertEquals("{\"id\":17,\"text\":\"hello\"}", r.raw());
        assertEquals("9.50", ((ScoreRequest) ScoreInputParser.fromColumns("f", 1, new BigDecimal("9.50"), "a", null,
                null)).id());
        Quarantined q = assertInstanceOf(Quarantined.class,
                ScoreInputParser.fromColumns("f.parquet", 4, null, null, "p", null));
        assertEquals("missing field: response (prompt given)", q.reason());
        assertEquals(4, q.line());
        assertEquals("empty text", ((Quarantined) ScoreInputParser.fromColumns("f", 1, "x", "", null, null)).reason());
    }
}
