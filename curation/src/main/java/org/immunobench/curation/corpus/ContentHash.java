package org.immunobench.curation.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Stable row ids: SHA-256 of prompt, a NUL separator and response, first 16 bytes in hex. */
public final class ContentHash {
    private ContentHash() {
    }

    public static String of(String prompt, String response) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(prompt.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update((response == null ? "" : response).getBytes(StandardCharsets.UTF_8));
            byte[] digest = md.digest();
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
