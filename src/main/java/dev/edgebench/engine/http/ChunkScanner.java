package dev.edgebench.engine.http;

import java.nio.charset.StandardCharsets;

/**
 * Reads the few fields edgebench needs out of one streamed JSON line, in place, from its bytes:
 * nothing is allocated, so a chunk costs no more than the bytes the HTTP client already holds.
 * A key is found by its quoted name followed by a colon ({@code "tokens":}); inside a JSON string a
 * quote is always escaped, so generated text never matches. The JSON is not validated beyond
 * {@link #looksLikeObject}: servers are trusted to send well-formed objects, and a line that is not
 * one is reported by the caller. Stateless; all methods are static and thread-safe.
 */
final class ChunkScanner {
    /** Returned by the number readers when the key is absent or not a number. */
    static final long ABSENT = Long.MIN_VALUE;

    private ChunkScanner() {
    }

    /** @return a key as the bytes it is searched by: {@code "name":} */
    static byte[] key(String name) {
        return ('"' + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    /** @return whether {@code b[from, to)} starts with '{' and ends with '}', blanks aside */
    static boolean looksLikeObject(byte[] b, int from, int to) {
        int s = skipBlanks(b, from, to);
        int e = to - 1;
        while (e > s && (b[e] == ' ' || b[e] == '\t' || b[e] == '\r')) {
            e--;
        }
        return s < to && b[s] == '{' && b[e] == '}';
    }

    /** @return the index just after {@code key} (and any blanks) in {@code b[from, to)}, or -1 */
    static int valueAt(byte[] b, int from, int to, byte[] key) {
        int last = to - key.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (b[i] != key[0]) {
                continue;
            }
            for (int k = 1; k < key.length; k++) {
                if (b[i + k] != key[k]) {
                    continue outer;
                }
            }
            return skipBlanks(b, i + key.length, to);
        }
        return -1;
    }

    /** @return the integer value of {@code key}, or {@link #ABSENT} (absent, null or not an integer) */
    static long longValue(byte[] b, int from, int to, byte[] key) {
        int p = valueAt(b, from, to, key);
        return p < 0 ? ABSENT : parseLong(b, p, to);
    }

    /** @return the number value of {@code key}, or NaN (absent, null or not a number) */
    static double doubleValue(byte[] b, int from, int to, byte[] key) {
        int p = valueAt(b, from, to, key);
        return p < 0 ? Double.NaN : parseDouble(b, p, to);
    }

    /** @return whether {@code key}'s value is the literal {@code true} */
    static boolean isTrue(byte[] b, int from, int to, byte[] key) {
        int p = valueAt(b, from, to, key);
        return p >= 0 && p + 4 <= to && b[p] == 't' && b[p + 1] == 'r' && b[p + 2] == 'u' && b[p + 3] == 'e';
    }

    /** @return whether {@code key}'s value is a string of at least one character */
    static boolean nonEmptyString(byte[] b, int from, int to, byte[] key) {
        int p = valueAt(b, from, to, key);
        return p >= 0 && p + 1 < to && b[p] == '"' && b[p + 1] != '"';
    }

    /**
     * @return whether {@code key}'s value is the string {@code expected} exactly (ASCII, no escapes)
     */
    static boolean stringEquals(byte[] b, int from, int to, byte[] key, byte[] expected) {
        int p = valueAt(b, from, to, key);
        if (p < 0 || b[p] != '"' || p + 1 + expected.length >= to) {
            return false;
        }
        for (int k = 0; k < expected.length; k++) {
            if (b[p + 1 + k] != expected[k]) {
                return false;
            }
        }
        return b[p + 1 + expected.length] == '"';
    }

    /**
     * Reads {@code key}'s value as an array of integers into {@code sink}.
     *
     * @return the number of integers read, or -1 when the key is absent or its value is not an array
     */
    static int intArray(byte[] b, int from, int to, byte[] key, IntSink sink) {
        int p = valueAt(b, from, to, key);
        if (p < 0 || b[p] != '[') {
            return -1;
        }
        int n = 0;
        int i = skipBlanks(b, p + 1, to);
        while (i < to && b[i] != ']') {
            boolean neg = b[i] == '-';
            if (neg) {
                i++;
            }
            int start = i;
            long v = 0;
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                v = v * 10 + (b[i] - '0');
                i++;
            }
            if (i == start) {
                return -1;
            }
            sink.accept((int) (neg ? -v : v));
            n++;
            i = skipBlanks(b, i, to);
            if (i < to && b[i] == ',') {
                i = skipBlanks(b, i + 1, to);
            }
        }
        return i < to ? n : -1;
    }

    /** Receives integers one by one. */
    @FunctionalInterface
    interface IntSink {
        void accept(int value);
    }

    static long parseLong(byte[] b, int p, int to) {
        boolean neg = p < to && b[p] == '-';
        int i = neg ? p + 1 : p;
        int start = i;
        long v = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        if (i == start || (i < to && (b[i] == '.' || b[i] == 'e' || b[i] == 'E'))) {
            return ABSENT;
        }
        return neg ? -v : v;
    }

    /** Decimal numbers as JSON writes them; exact to about 15 significant digits, enough for timings. */
    static double parseDouble(byte[] b, int p, int to) {
        boolean neg = p < to && b[p] == '-';
        int i = neg ? p + 1 : p;
        int start = i;
        double v = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        if (i < to && b[i] == '.') {
            i++;
            double scale = 0.1;
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                v += (b[i] - '0') * scale;
                scale *= 0.1;
                i++;
            }
        }
        if (i == start) {
            return Double.NaN;
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean eneg = i < to && b[i] == '-';
            if (i < to && (b[i] == '-' || b[i] == '+')) {
                i++;
            }
            int exp = 0;
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                exp = exp * 10 + (b[i] - '0');
                i++;
            }
            v *= Math.pow(10, eneg ? -exp : exp);
        }
        return neg ? -v : v;
    }

    private static int skipBlanks(byte[] b, int i, int to) {
        while (i < to && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }
}
