package dev.edgebench.telemetry;

import java.io.Closeable;
import java.io.IOException;
import java.io.FileNotFoundException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads sysfs and procfs attributes. An interface so that tests can make any file unreadable
 * (tests run as root, where permissions do not stop a read).
 *
 * <p>{@link #real()} keeps each attribute open and re-reads it from offset 0 into a buffer made
 * once, so a sample costs a seek and a read per file and no allocation. Attributes are not
 * thread-safe: one thread reads each.
 */
public interface SysFiles {
    /**
     * Reads a small file whole, for values read once (labels, names, governors).
     *
     * @return the content with surrounding whitespace and NULs removed
     * @throws IOException when the file is missing, unreadable or not a file
     */
    String readString(Path file) throws IOException;

    /**
     * Opens an attribute for repeated reads at the sampling period.
     *
     * @throws IOException when it cannot be opened
     */
    Attribute open(Path file) throws IOException;

    /** An attribute open for repeated reads. */
    interface Attribute extends Closeable {
        /** @return the file */
        Path path();

        /**
         * @return the first integer in the file (sysfs values such as {@code 45500} or {@code 1300500000})
         * @throws IOException when the read fails or the file holds no integer
         */
        long readLong() throws IOException;

        /**
         * Meant for one key per attribute: the position of the key's line is remembered.
         *
         * @param key ASCII bytes of a line prefix, e.g. {@code "VmHWM:"}
         * @return the first integer after the key on the line that starts with it (procfs {@code status} files)
         * @throws IOException when the read fails or no line starts with the key
         */
        long readKeyed(byte[] key) throws IOException;

        /** Closes the file; never throws. */
        @Override
        void close();
    }

    /** @return the real file system */
    static SysFiles real() {
        return Real.INSTANCE;
    }

    /** The real file system. */
    final class Real implements SysFiles {
        static final Real INSTANCE = new Real();

        private Real() {
        }

        @Override
        public String readString(Path file) throws IOException {
            return trim(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        }

        @Override
        public Attribute open(Path file) throws IOException {
            return new FileAttribute(file);
        }

        static String trim(String s) {
            int a = 0;
            int b = s.length();
            while (a < b && (s.charAt(a) <= ' ')) {
                a++;
            }
            while (b > a && (s.charAt(b - 1) <= ' ')) {
                b--;
            }
            return s.substring(a, b);
        }
    }

    /**
     * An attribute re-read from offset 0 into one reused buffer through {@link RandomAccessFile}:
     * {@code seek} and {@code read} are two native calls with little Java around them, which
     * matters at 10 reads a second, when this code stays interpreted for minutes (measured here:
     * about 18 µs a read of {@code /proc/self/status}, against about 120 µs through a
     * {@code FileChannel}).
     */
    final class FileAttribute implements Attribute {
        private static final int CAPACITY = 8192;
        private final Path path;
        private final RandomAccessFile file;
        private final byte[] buffer = new byte[CAPACITY];
        private int keyOffset = -1;

        FileAttribute(Path path) throws IOException {
            this.path = path;
            try {
                this.file = new RandomAccessFile(path.toFile(), "r");
            } catch (FileNotFoundException e) {
                String m = String.valueOf(e.getMessage());
                if (m.endsWith("(Permission denied)")) {
                    throw new AccessDeniedException(path.toString());
                }
                if (m.endsWith("(No such file or directory)")) {
                    throw new NoSuchFileException(path.toString());
                }
                throw e;
            }
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long readLong() throws IOException {
            // a sysfs attribute is produced whole by the first read (at most a page)
            file.seek(0);
            int n = Math.max(file.read(buffer, 0, buffer.length), 0);
            return Numbers.parseLong(buffer, 0, n, path);
        }

        @Override
        public long readKeyed(byte[] key) throws IOException {
            file.seek(0);
            int n = 0;
            while (n < buffer.length) {
                int r = file.read(buffer, n, buffer.length - n);
                if (r <= 0) {
                    break;
                }
                n += r;
            }
            byte[] a = buffer;
            // the key's line rarely moves between reads of one process's status file: try there first
            int hint = keyOffset;
            if (hint >= 0 && (hint == 0 || (hint < n && a[hint - 1] == '\n')) && Numbers.startsWith(a, hint, n, key)) {
                return Numbers.parseLong(a, hint + key.length, n, path);
            }
            int lineStart = 0;
            while (lineStart < n) {
                if (Numbers.startsWith(a, lineStart, n, key)) {
                    keyOffset = lineStart;
                    return Numbers.parseLong(a, lineStart + key.length, n, path);
                }
                while (lineStart < n && a[lineStart] != '\n') {
                    lineStart++;
                }
                lineStart++;
            }
            throw new IOException(path + ": no line starts with '" + new String(key, StandardCharsets.US_ASCII) + "'");
        }

        @Override
        public void close() {
            try {
                file.close();
            } catch (IOException ignored) {
                // closing a read-only sysfs file cannot lose data
            }
        }
    }

    /** Allocation-free parsing of ASCII integers. */
    final class Numbers {
        private Numbers() {
        }

        static boolean startsWith(byte[] a, int from, int end, byte[] key) {
            if (end - from < key.length) {
                return false;
            }
            for (int i = 0; i < key.length; i++) {
                if (a[from + i] != key[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Parses the first integer at or after {@code from}, skipping blanks; stops at the first non-digit. */
        static long parseLong(byte[] a, int from, int end, Path path) throws IOException {
            int i = from;
            while (i < end && (a[i] == ' ' || a[i] == '\t')) {
                i++;
            }
            boolean negative = false;
            if (i < end && (a[i] == '-' || a[i] == '+')) {
                negative = a[i] == '-';
                i++;
            }
            int digitsStart = i;
            long v = 0;
            while (i < end && a[i] >= '0' && a[i] <= '9') {
                if (v > (Long.MAX_VALUE - 9) / 10) {
                    throw new IOException(path + ": integer too large");
                }
                v = v * 10 + (a[i] - '0');
                i++;
            }
            if (i == digitsStart) {
                int show = Math.min(end - from, 40);
                throw new IOException(path + ": expected an integer, found '"
                        + new String(a, from, Math.max(show, 0), StandardCharsets.US_ASCII).strip() + "'");
            }
            return negative ? -v : v;
        }
    }
}
