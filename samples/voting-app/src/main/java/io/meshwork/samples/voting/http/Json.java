package io.meshwork.samples.voting.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough JSON for the vote messages and API replies: quoting strings, and parsing one flat
 * object whose values are strings, numbers, booleans or null (kept as their text).
 *
 * <p>Hand-written so the sample app's only dependency is the PostgreSQL driver.
 */
public final class Json {
    private Json() {}

    /** {@code text} as a JSON string literal, quotes included. */
    public static String quote(String text) {
        var out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * Parses a flat JSON object. Nested objects or arrays are rejected: no message of this app has
     * them, so one is a sign of a wrong producer.
     *
     * @throws IllegalArgumentException with the offset of the first problem
     */
    public static Map<String, String> parseFlatObject(String text) {
        return new Parser(text).object();
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Map<String, String> object() {
            var fields = new LinkedHashMap<String, String>();
            skipSpace();
            expect('{');
            skipSpace();
            if (peek() == '}') {
                i++;
                return end(fields);
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                fields.put(key, value());
                skipSpace();
                char c = next();
                if (c == '}') {
                    return end(fields);
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private Map<String, String> end(Map<String, String> fields) {
            skipSpace();
            if (i != s.length()) {
                throw error("unexpected text after the object");
            }
            return fields;
        }

        private String value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (c == '{' || c == '[') {
                throw error("nested values are not supported");
            }
            int start = i;
            while (i < s.length() && ",} \t\r\n".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String literal = s.substring(start, i);
            if (literal.equals("null")) {
                return null;
            }
            if (literal.equals("true") || literal.equals("false") || literal.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?")) {
                return literal;
            }
            throw error("bad literal '" + literal + "'");
        }

        private String string() {
            expect('"');
            var out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                i--;
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("Invalid JSON at offset " + i + ": " + what);
        }
    }
}
