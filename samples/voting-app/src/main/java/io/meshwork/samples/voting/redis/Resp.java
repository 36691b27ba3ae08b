package io.meshwork.samples.voting.redis;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP2 framing, the subset both sides of this app need.
 *
 * <p>Replies are decoded to Java values: simple string to {@link String}, error to
 * {@link RedisException} (returned, not thrown, so a server-side array may hold one), integer to
 * {@link Long}, bulk string to {@code byte[]} or {@code null}, array to {@code List} or {@code null}.
 */
public final class Resp {
    private static final byte[] CRLF = {'\r', '\n'};
    /** A bulk string longer than this is refused: the app's messages are tiny. */
    static final int MAX_BULK = 8 * 1024 * 1024;
    private static final int MAX_LINE = 64 * 1024;

    private Resp() {}

    /** Writes a command as an array of bulk strings, and flushes. */
    public static void writeCommand(OutputStream out, String... parts) throws IOException {
        var buf = new ByteArrayOutputStream();
        buf.write(("*" + parts.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String part : parts) {
            writeBulkTo(buf, part.getBytes(StandardCharsets.UTF_8));
        }
        out.write(buf.toByteArray());
        out.flush();
    }

    static void writeBulkTo(OutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.write("$-1\r\n".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write(CRLF);
    }

    /** Reads one value; {@code null} for a null bulk string or array. */
    public static Object read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by peer");
        }
        String line = readLine(in);
        return switch (type) {
            case '+' -> line;
            case '-' -> new RedisException(line);
            case ':' -> parseLong(line);
            case '$' -> readBulk(in, (int) parseLong(line));
            case '*' -> readArray(in, (int) parseLong(line));
            default -> throw new IOException("not a RESP reply: type byte " + type);
        };
    }

    private static byte[] readBulk(InputStream in, int length) throws IOException {
        if (length < 0) {
            return null;
        }
        if (length > MAX_BULK) {
            throw new IOException("bulk string of " + length + " bytes exceeds " + MAX_BULK);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("truncated bulk string");
        }
        return bytes;
    }

    private static List<Object> readArray(InputStream in, int count) throws IOException {
        if (count < 0) {
            return null;
        }
        if (count > 1024 * 1024) {
            throw new IOException("array of " + count + " elements is too large");
        }
        var items = new ArrayList<Object>(Math.min(count, 16));
        for (int n = 0; n < count; n++) {
            items.add(read(in));
        }
        return items;
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed mid-line");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("CR not followed by LF");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    private static long parseLong(String line) throws IOException {
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new IOException("not a RESP integer: '" + line + "'", e);
        }
    }
}
