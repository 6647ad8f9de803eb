package org.cover4j.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Real test data from Debian packages, unpacked (without installing) by
 * {@code apt-get download PKG && dpkg -x PKG_*.deb ~/.cache/cover4j/debian/PKG}. Tests that need a package
 * skip when it is absent. The CI script fetches the same packages into the same place.
 */
public final class DebianData {
    private DebianData() {}

    /**
     * {@code ~/.cache/cover4j/debian/PKG} (or {@code $COVER4J_DEBIAN_CACHE/PKG}, as in {@code .ci/fetch-test-data})
     * when that folder exists.
     */
    public static Optional<Path> packageRoot(String pkg) {
        String override = System.getenv("COVER4J_DEBIAN_CACHE");
        Path cache = override != null && !override.isBlank() ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".cache", "cover4j", "debian");
        Path p = cache.resolve(pkg);
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** A file inside an unpacked package, when both exist. */
    public static Optional<Path> file(String pkg, String pathInside) {
        return packageRoot(pkg).map(r -> r.resolve(pathInside)).filter(Files::isRegularFile);
    }
}
