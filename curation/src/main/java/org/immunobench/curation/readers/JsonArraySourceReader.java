package org.immunobench.curation.readers;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Streams a file holding one JSON array of objects (Alpaca), element by element, without loading the array. Row
 * numbers are array index + 1. A syntax error or invalid UTF-8 inside the array cannot be stepped over (there is
 * no line structure to resynchronise on): the element where it happens is quarantined with a reason that says the
 * rest of the file was not read, and reading stops.
 */
public final class JsonArraySourceReader extends LookaheadSourceReader {
    private final JsonParser parser;
    private final SourceContext ctx;
    private final RecordMapper mapper;
    private boolean done;

    /** Reads up to the opening bracket now; a file that is not a JSON array fails here, naming {@code file}. */
    public JsonArraySourceReader(InputStream in, String file, SourceContext ctx, RecordMapper mapper) {
        super(in);
        this.ctx = ctx;
        this.mapper = mapper;
        try {
            this.parser = JsonRows.STREAM_MAPPER.createParser(in);
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException(file + ": empty, expected a JSON array");
            }
            if (first != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(file + ": expected a JSON array at the top level, found "
                        + first.asString());
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not a JSON array: " + JsonRows.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Parsed fetch() throws IOException {
        return done ? null : advance();
    }

    private Parsed advance() throws IOException {
        JsonToken t;
        try {
            t = parser.nextToken();
        } catch (JsonProcessingException e) {
            return fatal(e);
        }
        if (t == null) {
            done = true;
            return Parsed.quarantined(ctx, ++read, "", "row: the file ends inside the array (no closing ])");
        }
        if (t == JsonToken.END_ARRAY) {
            done = true;
            try {
                JsonToken after = parser.nextToken();
                if (after != null) {
                    return Parsed.quarantined(ctx, ++read, after.asString() == null ? "" : after.asString(),
                            "row: content after the closing ] of the array");
                }
            } catch (JsonProcessingException e) {
                return fatal(e);
            }
            return null;
        }
        JsonNode node;
        try {
            node = parser.readValueAsTree();
        } catch (JsonProcessingException e) {
            return fatal(e);
        }
        long row = ++read;
        return RowValidator.check(ctx, row, node.toString(),
                () -> mapper.map(new JsonFields(JsonRows.requireObject(node))));
    }

    private Parsed fatal(JsonProcessingException e) {
        done = true;
        String what = e.getOriginalMessage().contains("UTF-8") ? "invalid UTF-8: " : "malformed JSON: ";
        return Parsed.quarantined(ctx, ++read, "", "row: " + what + JsonRows.describe(e)
                + "; the rest of the file was not read");
    }

    /** Closes the parser (which closes the stream) so Jackson can recycle its buffers. */
    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
