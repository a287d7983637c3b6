package org.immunobench.curation.validate;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StrictUtf8Test {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void decodesValidText() {
        String s = "caf\u00e9 \u4e2d \ud83d\ude00";
        assertEquals(s, StrictUtf8.decode(s.getBytes(StandardCharsets.UTF_8)));
        byte[] padded = "xxab".getBytes(StandardCharsets.UTF_8);
        assertEquals("ab", StrictUtf8.decode(padded, 2, 2));
    }

    @Test
    void rejectsBadSequencesNamingTheByte() {
        assertEquals("row: invalid UTF-8 at byte 1 of the row",
                assertThrows(BadRow.class, () -> StrictUtf8.decode(bytes('a', 0xFF, 'b'))).reason());
        // Truncated three-byte sequence at the end of the row.
        assertEquals("row: invalid UTF-8 at byte 1 of the row",
                assertThrows(BadRow.class, () -> StrictUtf8.decode(bytes('a', 0xE4, 0xB8))).reason());
        // Overlong encoding of NUL, and an encoded surrogate: both invalid UTF-8.
        assertThrows(BadRow.class, () -> StrictUtf8.decode(bytes(0xC0, 0x80)));
        assertThrows(BadRow.class, () -> StrictUtf8.decode(bytes(0xED, 0xA0, 0x80)));
        // Offsets are relative to the row, not the buffer.
        assertEquals("row: invalid UTF-8 at byte 0 of the row",
                assertThrows(BadRow.class, () -> StrictUtf8.decode(bytes('x', 'x', 0xFF), 2, 1)).reason());
    }

    @Test
    void lenientShowsReplacementCharacters() {
        assertEquals("a\ufffdb", StrictUtf8.lenient(bytes('a', 0xFF, 'b'), 3));
    }
}
