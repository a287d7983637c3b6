package org.immunobench.jobs.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Deterministic ids of runs, checkpoints and tasks: the first 16 hex characters of SHA-256 over their parts. */
public final class Ids {
    private Ids() {
    }

    /** Hash of the parts joined by U+0000 (no part can fake a boundary). */
    public static String of(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    md.update((byte) 0);
                }
                md.update(parts[i].getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Id of a checkpoint directory as found on disk: its config.json text plus name, size and modification time of
     * every weight file. Cheap on a 14 GB checkpoint (no read of the weights) and changes when the weights are
     * rewritten, so results of an older model are never mistaken for this one's.
     */
    public static String ofCheckpoint(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("checkpoint " + dir + " has no config.json");
        }
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder sb = new StringBuilder(Files.readString(config));
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                sb.append('\n').append(f.getFileName()).append(' ').append(Files.size(f)).append(' ')
                        .append(Files.getLastModifiedTime(f).toMillis());
            }
            return of("checkpoint", sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + dir, e);
        }
    }
}
