package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes files so that a reader never sees a half-written one and an existing file is never damaged by a
 * failed write: the content goes to a temporary file in the same folder ({@code .NAME.DIGITS.tmp}), which is
 * flushed to the disk (fsync), renamed over the target, and the folder is flushed too, so that after a power
 * loss the target holds either the old or the new content, never an empty or partial file.
 */
public final class AtomicFiles {
    /** The temporaries {@link #write} makes: {@code Files.createTempFile(dir, ".NAME.", ".tmp")} puts digits between. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.-?\\d+\\.tmp");

    /** Produces a file's content on a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** Writes {@code content} to {@code target} atomically; failures become a {@link CoverException} naming the file. */
    public static void write(Path target, Content content) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            if (dir != null) Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            readableByAll(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true); // the content is on the disk before the name points at it
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir); // the rename itself survives a power loss
        } catch (IOException e) {
            throw CoverException.file(target, "cannot write (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; that error is the one to report.
                }
            }
        }
    }

    /**
     * Flushes a folder's entries (new names, renames) to the disk. Some systems cannot open a folder for this;
     * there the rename is as durable as the file system makes it anyway.
     */
    public static void syncDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows): nothing more can be done
        }
    }

    /** Whether {@code name} is one of {@link #write}'s temporaries. */
    public static boolean isTemporary(String name) {
        return TEMPORARY.matcher(name).matches();
    }

    /**
     * Removes the temporaries a killed writer left in {@code dir} (not in its sub-folders); returns them. Only for a
     * process that holds the folder's run lock: another writer's temporaries would be in use.
     */
    public static List<Path> removeStaleTemporaries(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> stale = files.filter(p -> isTemporary(p.getFileName().toString()) && Files.isRegularFile(p)).sorted().toList();
            for (Path p : stale) Files.deleteIfExists(p);
            return stale;
        } catch (IOException e) {
            throw CoverException.file(dir, "cannot remove temporary files left by an interrupted run (" + e.getMessage() + ")");
        }
    }

    /**
     * Temporary files are created owner-only (0600); outputs are ordinary files, so give them the usual
     * rw-r--r-- where the file system has POSIX permissions.
     */
    private static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: keep its defaults
        }
    }
}
