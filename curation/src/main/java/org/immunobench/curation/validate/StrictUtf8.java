package org.immunobench.curation.validate;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a row's bytes as UTF-8 and refuses bad sequences, where {@code new String(bytes, UTF_8)} (and Spark's
 * {@code textFile}) would silently put U+FFFD in their place.
 */
public final class StrictUtf8 {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private StrictUtf8() {
    }

    /**
     * The text of {@code bytes[offset, offset + length)}; throws {@link BadRow} on field {@code row} naming the
     * offset of the first bad byte within that range.
     */
    public static String decode(byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new BadRow("row", "invalid UTF-8 at byte " + (in.position() - offset) + " of the row");
        }
        r = decoder.flush(out);
        if (r.isError()) {
            throw new BadRow("row", "invalid UTF-8 at byte " + (in.position() - offset) + " of the row");
        }
        out.flip();
        return out.toString();
    }

    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** For the quarantine excerpt of a row that failed {@link #decode}: bad sequences become U+FFFD. */
    public static String lenient(byte[] bytes, int length) {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** Whether {@code bytes} begin with the UTF-8 byte order mark some editors write at the start of a file. */
    public static boolean startsWithBom(byte[] bytes, int length) {
        return length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2];
    }

    /** Decodes a whole small file strictly (headers), for callers that throw rather than quarantine. */
    public static String decodeOrThrow(byte[] bytes, String what) {
        try {
            return decode(bytes);
        } catch (BadRow e) {
            throw new IllegalArgumentException(what + ": " + e.problem());
        }
    }
}
