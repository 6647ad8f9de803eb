package org.cover4j.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's nibabel (python3-nibabel 5.0, unpacked under ~/.cache/cover4j/debian) with the system
 * {@code /usr/bin/python3}, to check files cover4j writes against the reference reader. nibabel 5.0 needs numpy 1.x
 * and packaging, so Debian's python3-numpy and python3-packaging (and numpy's shared libraries libblas3,
 * liblapack3, libgfortran5) are unpacked beside it. Everything is optional: {@link #run} is empty when nibabel
 * cannot be imported, and the calling test skips.
 */
public final class NibabelPython {
    private static final String[] PY_PACKAGES = {"python3-nibabel", "python3-numpy", "python3-packaging"};
    private static final String[][] LIBS = {
            {"libblas3", "usr/lib/x86_64-linux-gnu/blas"},
            {"liblapack3", "usr/lib/x86_64-linux-gnu/lapack"},
            {"libgfortran5", "usr/lib/x86_64-linux-gnu"}};
    private static Boolean available;

    private NibabelPython() {}

    /** Runs a Python script with nibabel importable; its stdout, or empty when nibabel is unavailable. */
    public static synchronized Optional<String> run(String script) {
        if (available == null) available = exec("import nibabel").isPresent();
        if (!available) return Optional.empty();
        Optional<String> out = exec(script);
        if (out.isEmpty()) throw new AssertionError("nibabel script failed:\n" + script);
        return out;
    }

    private static Optional<String> exec(String script) {
        if (DebianData.packageRoot("python3-nibabel").isEmpty() || !Path.of("/usr/bin/python3").toFile().canExecute()) {
            return Optional.empty();
        }
        List<String> pythonPath = new ArrayList<>();
        for (String p : PY_PACKAGES) {
            DebianData.packageRoot(p).ifPresent(r -> pythonPath.add(r.resolve("usr/lib/python3/dist-packages").toString()));
        }
        List<String> libPath = new ArrayList<>();
        for (String[] l : LIBS) DebianData.packageRoot(l[0]).ifPresent(r -> libPath.add(r.resolve(l[1]).toString()));
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-c", script);
        pb.environment().put("PYTHONPATH", String.join(":", pythonPath));
        pb.environment().put("LD_LIBRARY_PATH", String.join(":", libPath));
        pb.redirectErrorStream(true);
        try {
            Process proc = pb.start();
            byte[] out = proc.getInputStream().readAllBytes();
            if (!proc.waitFor(60, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                System.err.println("[nibabel] " + new String(out, StandardCharsets.UTF_8));
                return Optional.empty();
            }
            return Optional.of(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
