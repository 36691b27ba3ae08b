package io.meshwork.samples.voting.local;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Unpacks a tar stream (ustar, with GNU long names and pax path records) into a directory:
 * regular files with their permission bits, directories and symbolic links, which is everything
 * the PostgreSQL binaries archive holds. Entries that would land outside the directory are refused.
 */
final class TarExtractor {
    private static final int BLOCK = 512;

    private TarExtractor() {}

    static void extract(InputStream in, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        String longName = null;
        String longLink = null;
        byte[] header = new byte[BLOCK];
        while (true) {
            if (!readBlock(in, header)) {
                return;
            }
            if (isZero(header)) {
                return; // end-of-archive marker
            }
            String name = longName != null ? longName : joinPrefix(text(header, 345, 155), text(header, 0, 100));
            String link = longLink != null ? longLink : text(header, 157, 100);
            longName = null;
            longLink = null;
            long size = octal(header, 124, 12);
            int mode = (int) octal(header, 100, 8);
            char type = (char) header[156];
            switch (type) {
                case 'L' -> longName = trimNul(new String(readData(in, size), StandardCharsets.UTF_8));
                case 'K' -> longLink = trimNul(new String(readData(in, size), StandardCharsets.UTF_8));
                case 'x' -> {
                    var pax = new String(readData(in, size), StandardCharsets.UTF_8);
                    longName = paxValue(pax, "path");
                    longLink = paxValue(pax, "linkpath");
                }
                case 'g' -> readData(in, size); // global pax header: nothing we use
                case '5' -> Files.createDirectories(target(root, name));
                case '2' -> {
                    Path target = target(root, name);
                    Files.createDirectories(target.getParent());
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(link));
                }
                case '0', '\0', '7' -> {
                    Path target = target(root, name);
                    Files.createDirectories(target.getParent());
                    try (var out = Files.newOutputStream(target)) {
                        copy(in, out, size);
                    }
                    skipPadding(in, size);
                    Files.setPosixFilePermissions(target, permissions(mode));
                }
                default -> throw new IOException("tar entry '" + name + "' has unsupported type '" + type + "'");
            }
        }
    }

    private static Path target(Path root, String name) throws IOException {
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || name.startsWith("/")) {
            throw new IOException("tar entry '" + name + "' points outside " + root);
        }
        return target;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        var perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(order[bit]);
            }
        }
        return perms;
    }

    private static byte[] readData(InputStream in, long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("tar header record of " + size + " bytes is implausibly large");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar archive truncated");
        }
        skipPadding(in, size);
        return data;
    }

    private static void copy(InputStream in, java.io.OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("tar archive truncated");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (pad > 0) {
            in.skipNBytes(pad);
        }
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n != BLOCK) {
            throw new EOFException("tar archive truncated in a header");
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String joinPrefix(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static long octal(byte[] header, int offset, int length) throws IOException {
        String digits = text(header, offset, length).trim();
        if (digits.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            throw new IOException("tar header field '" + digits + "' is not octal", e);
        }
    }

    private static String trimNul(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    /** The value of {@code key} in pax records ({@code "<len> key=value\n"}), or null. */
    private static String paxValue(String records, String key) {
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals(key)) {
                return line.substring(eq + 1);
            }
        }
        return null;
    }
}
