package org.immunobench.curation.validate;

import java.text.Normalizer;

/**
 * The one text normalisation every corpus prompt, response and domain goes through before it is hashed into an id.
 * Pure and idempotent: {@code normalise(normalise(s)).equals(normalise(s))}.
 *
 * <ol>
 *   <li>Line endings: CRLF, CR, NEL (U+0085), LS (U+2028) and PS (U+2029) become {@code \n}.</li>
 *   <li>Control characters other than {@code \n} and tab are removed, and so are the invisible BOM (U+FEFF) and
 *       zero-width space (U+200B). This runs before NFKC so that a removed control cannot leave a base letter and
 *       a combining mark that NFKC would have composed.</li>
 *   <li>Unicode NFKC (full-width letters, ligatures, no-break and other Unicode spaces become their plain forms).</li>
 *   <li>Whitespace, line by line: a line keeps its leading indentation (code in Alpaca and Dolly answers needs it),
 *       runs of spaces and tabs inside it become one space, trailing ones go; no more than one blank line in a row;
 *       the whole text is stripped.</li>
 * </ol>
 * Other format characters (ZWJ, ZWNJ, bidi marks) stay: emoji sequences and Persian script depend on them.
 */
public final class TextNormaliser {
    private TextNormaliser() {
    }

    public static String normalise(String s) {
        String cleaned = cleanControls(s);
        String nfkc = Normalizer.isNormalized(cleaned, Normalizer.Form.NFKC) ? cleaned
                : Normalizer.normalize(cleaned, Normalizer.Form.NFKC);
        return collapseWhitespace(nfkc);
    }

    private static String cleanControls(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                b.append('\n');
                if (i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\u0085' || c == '\u2028' || c == '\u2029') {
                b.append('\n');
            } else if (c == '\n' || c == '\t') {
                b.append(c);
            } else if (!Character.isISOControl(c) && c != '\uFEFF' && c != '\u200B') {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isHorizontalSpace(char c) {
        return c == '\t' || c == ' ' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static String collapseWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int blankRun = 0;
        int start = 0;
        while (start <= s.length()) {
            int end = s.indexOf('\n', start);
            if (end < 0) {
                end = s.length();
            }
            int lineStart = out.length();
            appendLine(s, start, end, out);
            if (out.length() == lineStart) {
                blankRun++;
            } else {
                blankRun = 0;
            }
            if (end == s.length()) {
                break;
            }
            if (blankRun < 2) {
                out.append('\n');
            }
            start = end + 1;
        }
        return out.toString().strip();
    }

    /** Appends one line with its indentation kept, inner runs collapsed and trailing spaces dropped. */
    private static void appendLine(String s, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to && isHorizontalSpace(s.charAt(i))) {
            i++;
        }
        if (i == to) {
            return;
        }
        out.append(s, from, i);
        boolean pendingSpace = false;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (isHorizontalSpace(c)) {
                pendingSpace = true;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
    }
}
