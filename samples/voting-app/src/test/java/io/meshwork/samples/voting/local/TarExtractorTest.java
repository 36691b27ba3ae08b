package io.meshwork.samples.voting.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarExtractorTest {
    @TempDir
    Path dir;

    @Test
    void unpacksFilesWithModesDirectoriesAndSymlinks() throws IOException {
        var tar = new ByteArrayOutputStream();
        entry(tar, "bin/", '5', 0755, "", new byte[0]);
        entry(tar, "bin/tool", '0', 0755, "", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
        entry(tar, "lib/libx.so.1", '0', 0644, "", "x".repeat(700).getBytes(StandardCharsets.UTF_8));
        entry(tar, "lib/libx.so", '2', 0777, "libx.so.1", new byte[0]);
        tar.write(new byte[1024]);

        TarExtractor.extract(new ByteArrayInputStream(tar.toByteArray()), dir);

        assertThat(Files.readString(dir.resolve("bin/tool"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bin/tool")))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("lib/libx.so.1")))).isEqualTo("rw-r--r--");
        assertThat(Files.readSymbolicLink(dir.resolve("lib/libx.so"))).isEqualTo(Path.of("libx.so.1"));
        assertThat(Files.readString(dir.resolve("lib/libx.so"))).hasSize(700);
    }

    @Test
    void refusesEntriesThatEscapeTheDirectory() throws IOException {
        var tar = new ByteArrayOutputStream();
        entry(tar, "../evil", '0', 0644, "", "x".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar.toByteArray()), dir))
                .isInstanceOf(IOException.class).hasMessageContaining("outside");
        assertThat(dir.getParent().resolve("evil")).doesNotExist();
    }

    /** Writes one ustar header plus padded data (checksum left blank: the extractor does not need it). */
    private static void entry(ByteArrayOutputStream tar, String name, char type, int mode, String link, byte[] data) throws IOException {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, String.format("%07o", mode));
        put(header, 124, String.format("%011o", data.length));
        header[156] = (byte) type;
        put(header, 157, link);
        put(header, 257, "ustar");
        tar.write(header);
        tar.write(data);
        tar.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
