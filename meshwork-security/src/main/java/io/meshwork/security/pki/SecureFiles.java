package io.meshwork.security.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes secrets so that no other user can read them at any moment: directories are created
 * {@code 0700} and files {@code 0600} <em>at creation</em> (no window between create and chmod),
 * and a file is replaced atomically through a sibling temporary file so a crash never leaves a
 * half-written key.
 */
public final class SecureFiles {
  /** Owner read/write: {@code 0600}. */
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  /** Owner only: {@code 0700}. */
  public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {}

  /** Creates {@code dir} (and parents) with {@code 0700}, or tightens an existing one to {@code 0700}. */
  public static Path directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      if (dir.getParent() != null) {
        Files.createDirectories(dir.getParent());
      }
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
      } catch (FileAlreadyExistsException e) {
        // created concurrently; permissions are fixed below
      }
    }
    Files.setPosixFilePermissions(dir, DIR);
    return dir;
  }

  /** Writes {@code text} to {@code file} with {@code 0600}, replacing it atomically. */
  public static void write(Path file, String text) throws IOException {
    var dir = file.toAbsolutePath().getParent();
    var tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(FILE));
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    Files.setPosixFilePermissions(file, FILE);
  }
}
