package org.cover4j.train;

import org.cover4j.io.AtomicFiles;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run per output folder: an exclusive lock on {@code OUT/.cover4j.lock}, held while a command writes there and
 * released when it ends, also on errors. The lock itself is the operating system's ({@link FileChannel#tryLock()}), so
 * a process that dies releases it whatever way it dies; the file's content (pid, host, start time, command) is for the
 * message a second run prints, and for a human. A run that ends empties the file; a file whose lock is free but which
 * still names a process is the leftover of a killed run: it is taken over, saying so on stderr.
 *
 * <p>The file is never removed, and the holder never opens it a second time: POSIX locks belong to the process and
 * file, and closing any descriptor of the file releases them; and a run that removed the file could leave a waiting
 * run locking a file no longer in the folder while a third creates a new one.
 *
 * <p>Where the file system cannot lock (rare network or FUSE file systems), the content decides: a file naming a live
 * process on this host, or any process on another host (whose liveness cannot be checked), holds the folder.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".cover4j.lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final PrintStream log;
    /** Whether this run created the folder: one that it leaves empty (a run refused over its inputs) is removed again. */
    private final boolean createdDir;

    private RunLock(Path dir, FileChannel channel, FileLock lock, PrintStream log, boolean createdDir) {
        this.dir = dir;
        this.createdDir = createdDir;
        this.channel = channel;
        this.lock = lock;
        this.log = log;
    }

    /**
     * Locks {@code dir} (created if missing) for this process, or refuses with one line naming the folder and the
     * holder (exit status 2) when another run holds it. {@code flag} names the option that chose the folder.
     */
    public static RunLock acquire(Path dir, String flag, String command, PrintStream log) {
        Path file = dir.resolve(FILE);
        try {
            boolean created = !Files.exists(dir);
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            boolean osLocks = true;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this very process holds it (another command in the same JVM)
            } catch (IOException e) {
                lock = null;
                osLocks = false;
            }
            String previous = read(ch);
            Map<String, String> holder = parse(previous);
            if (lock == null && (osLocks || heldByContent(holder))) {
                ch.close();
                throw new CoverException(flag + " " + dir + " is in use by another cover4j run (" + describe(holder, previous)
                        + "; lock file " + file + "); wait for it to end or choose another " + flag, CoverException.USAGE, null);
            }
            byte[] mine = content(command).getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(mine), 0);
            ch.force(true);
            if (!previous.isBlank()) {
                log.println("cover4j: taking over the stale lock " + file + " of " + describe(holder, previous) + ": "
                        + (alive(holder) ? "its lock is free (the process id is now another program's)" : "that process is no longer running"));
            }
            return new RunLock(dir, ch, lock, log, created);
        } catch (IOException e) {
            throw CoverException.file(file, "cannot create the run lock (" + e.getMessage() + ")");
        }
    }

    /** The locked folder. */
    public Path dir() {
        return dir;
    }

    /**
     * Removes the temporary files that a killed writer left in the folder and in {@code subfolders} (safe only now that
     * this process holds the folder), saying how many.
     */
    public void removeStaleTemporaries(String... subfolders) {
        int n = AtomicFiles.removeStaleTemporaries(dir).size();
        for (String s : subfolders) n += AtomicFiles.removeStaleTemporaries(dir.resolve(s)).size();
        if (n > 0) log.printf("cover4j: removed %d temporary file%s left in %s by an interrupted run%n", n, n == 1 ? "" : "s", dir);
    }

    @Override
    public void close() {
        try {
            channel.truncate(0); // emptied while still locked: an empty lock file is a free folder
            channel.force(true);
        } catch (IOException e) {
            // The run's outcome is what matters; a lock file left with content is taken over by the next run.
        }
        boolean onlyTheLock = createdDir && onlyLockFileLeft();
        try {
            if (onlyTheLock) Files.deleteIfExists(dir.resolve(FILE)); // while still locked
            if (lock != null) lock.release();
            channel.close();
            if (onlyTheLock) Files.deleteIfExists(dir);
        } catch (IOException e) {
            // closing releases the lock in any case; an empty folder left behind harms nothing
        }
    }

    private boolean onlyLockFileLeft() {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.allMatch(f -> f.getFileName().toString().equals(FILE));
        } catch (IOException e) {
            return false;
        }
    }

    private static String content(String command) {
        return "pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted=" + Instant.now() + "\ncommand=" + command + "\n";
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // reading
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return m;
    }

    /** "pid 123 on host h, started T, cover4j pretrain" (or the raw text when it is not ours). */
    private static String describe(Map<String, String> holder, String raw) {
        if (!holder.containsKey("pid")) return raw.isBlank() ? "holder unknown" : "lock file content: " + raw.strip().replace('\n', ' ');
        return "pid " + holder.get("pid") + " on host " + holder.getOrDefault("host", "?") + ", started " + holder.getOrDefault("started", "?")
                + (holder.containsKey("command") ? ", " + holder.get("command") : "");
    }

    /** Whether the holder named in the file is a running process on this host. */
    private static boolean alive(Map<String, String> holder) {
        if (!host().equals(holder.get("host"))) return false;
        try {
            return ProcessHandle.of(Long.parseLong(holder.getOrDefault("pid", ""))).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Without operating-system locks: held when the file names a live process here, or any process elsewhere. */
    private static boolean heldByContent(Map<String, String> holder) {
        if (!holder.containsKey("pid")) return false;
        return !host().equals(holder.get("host")) || alive(holder);
    }

    private static String host() {
        return HOST;
    }

    /** The kernel's host name where it can be read (no name-service lookup, which can hang for seconds), else Java's. */
    private static final String HOST = findHost();

    private static String findHost() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) return h;
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
    }
}
