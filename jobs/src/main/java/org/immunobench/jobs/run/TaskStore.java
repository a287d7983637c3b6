package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.immunobench.lm.config.ConfigBinder;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The ledger of one stage: a task is done exactly when {@code tasks/<stage>/<task id>/} exists. A task writes its
 * row files (JSON lines, snake_case keys) into a hidden temporary directory and renames it into place in one atomic
 * step, so a killed run leaves either a whole task or none; leftovers of killed tasks are removed when the stage
 * starts again. The directory must be on a filesystem every executor and the driver see (like the checkpoints).
 */
public final class TaskStore {
    private static final ObjectWriter LINES = ConfigBinder.mapper().writer()
            .without(SerializationFeature.INDENT_OUTPUT);
    private final Path dir;

    public TaskStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Ids of the committed tasks. */
    public Set<String> done() {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> out = new TreeSet<>();
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Removes what killed tasks left half-written. Driver only, before the stage's tasks start. */
    public void removeLeftovers() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
                deleteTree(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }

    /** Forgets a task (for {@code --force}). */
    public void forget(String taskId) {
        deleteTree(dir.resolve(taskId));
    }

    /** An open commit: write files into {@link #dir()}, then {@link #commit()}. */
    public Pending begin(String taskId) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(".tmp-" + taskId + "-" + UUID.randomUUID());
            Files.createDirectory(tmp);
            return new Pending(tmp, dir.resolve(taskId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start task " + taskId + " in " + dir, e);
        }
    }

    /** A task's files being written. */
    public static final class Pending implements AutoCloseable {
        private final Path tmp;
        private final Path target;
        private boolean committed;

        Pending(Path tmp, Path target) {
            this.tmp = tmp;
            this.target = target;
        }

        public Path dir() {
            return tmp;
        }

        public void writeLines(String file, List<?> rows) {
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve(file), StandardCharsets.UTF_8)) {
                for (Object r : rows) {
                    w.write(LINES.writeValueAsString(r));
                    w.write('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + tmp.resolve(file), e);
            }
        }

        /** Publishes the task in one rename; a task committed twice (a speculative copy) keeps the first. */
        public void commit() {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IllegalStateException("the run directory's filesystem cannot rename atomically: " + target, e);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                committed = true; // another attempt of the same task won; its rows are the same
            } catch (IOException e) {
                throw new UncheckedIOException("cannot commit " + target, e);
            }
        }

        @Override
        public void close() {
            if (!committed) {
                deleteTree(tmp);
            }
        }
    }

    /** Writes rows as JSON lines to {@code file} through a temporary file and one atomic rename. */
    static void writeAtomically(Path file, List<?> rows) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(".tmp-" + file.getFileName() + "-" + UUID.randomUUID());
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (Object r : rows) {
                    w.write(LINES.writeValueAsString(r));
                    w.write('\n');
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
