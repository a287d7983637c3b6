package org.immunobench.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The jars that carry this application's own classes, for {@code spark.jars} when the driver runs in this JVM
 * against a cluster master ({@code run --master spark://…}): executors start from Spark's classpath and get the
 * application only through what the driver ships.
 *
 * <p>Each module's classes come from wherever this JVM loaded them: a jar is shipped as it is (the spark-submit
 * jar holds them all); a class directory (a source checkout, {@code bin/immunobench}, tests) is packed into a jar
 * under {@code java.io.tmpdir/immunobench-app/}, named by a hash of its file names, sizes and times so an unchanged
 * directory is packed once. Third-party libraries are not shipped: the executors' classpath must have them (as
 * {@code bin/local-cluster}'s workers do), or use the spark-submit jar.
 */
public final class ApplicationJars {
    /** One class per module: lm, curation, training, evaluation, jobs. */
    private static final List<String> MODULE_CLASSES = List.of("org.immunobench.lm.CausalLm",
            "org.immunobench.curation.corpus.CorpusRow", "org.immunobench.training.trainer.Trainer",
            "org.immunobench.evaluation.judge.Judge", "org.immunobench.jobs.Cli");

    private ApplicationJars() {
    }

    /** Absolute paths of the jars to ship, packing class directories on first use. */
    public static List<String> locate() {
        Set<Path> sources = new LinkedHashSet<>();
        for (String name : MODULE_CLASSES) {
            try {
                Class<?> c = Class.forName(name, false, ApplicationJars.class.getClassLoader());
                sources.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot find where " + name + " was loaded from, so the"
                        + " application cannot be shipped to executors; use spark-submit with the spark-submit jar", e);
            }
        }
        List<String> out = new ArrayList<>();
        for (Path p : sources) {
            out.add((Files.isDirectory(p) ? pack(p) : p).toString());
        }
        return out;
    }

    /** A jar with the contents of {@code classes}, reused while the directory is unchanged. */
    static Path pack(Path classes) {
        try {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(classes.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Path f : files) {
                md.update((classes.relativize(f) + "\0" + Files.size(f) + "\0" + Files.getLastModifiedTime(f)
                        .toMillis() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "immunobench-app");
            Files.createDirectories(dir);
            // module name: the directory above target/classes
            Path module = classes.getParent() == null || classes.getParent().getParent() == null ? classes
                    : classes.getParent().getParent();
            Path jar = dir.resolve(module.getFileName() + "-" + hash + ".jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
            Path tmp = Files.createTempFile(dir, ".packing-", ".jar");
            try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream jos = new JarOutputStream(os)) {
                for (Path f : files) {
                    JarEntry e = new JarEntry(classes.relativize(f).toString().replace('\\', '/'));
                    e.setTime(Files.getLastModifiedTime(f).toMillis());
                    jos.putNextEntry(e);
                    Files.copy(f, jos);
                    jos.closeEntry();
                }
            }
            Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + classes + " into a jar for the executors", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
