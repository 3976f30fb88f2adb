package dev.edgebench.telemetry;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads sysfs and procfs attributes. An interface so that tests can make any file unreadable
 * (tests run as root, where permissions do not stop a read).
 *
 * <p>{@link #real()} keeps each attribute open and re-reads it with a positional read at offset
 * 0 into a buffer made once, so a sample costs one or two {@code pread} calls per file and no
 * allocation. Attributes are not thread-safe: one thread reads each.
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
            return new ChannelAttribute(file, FileChannel.open(file, StandardOpenOption.READ));
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

    /** An attribute read with positional reads at offset 0 into one reused buffer. */
    final class ChannelAttribute implements Attribute {
        private static final int CAPACITY = 8192;
        private final Path path;
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(CAPACITY);

        ChannelAttribute(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public Path path() {
            return path;
        }

        private int fill() throws IOException {
            buffer.clear();
            long position = 0;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                position += n;
            }
            return buffer.position();
        }

        @Override
        public long readLong() throws IOException {
            int n = fill();
            return Numbers.parseLong(buffer.array(), 0, n, path);
        }

        @Override
        public long readKeyed(byte[] key) throws IOException {
            int n = fill();
            byte[] a = buffer.array();
            int lineStart = 0;
            while (lineStart < n) {
                if (Numbers.startsWith(a, lineStart, n, key)) {
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
                channel.close();
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
