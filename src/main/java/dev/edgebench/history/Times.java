package dev.edgebench.history;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times as the history stores them: fixed-width ISO-8601 UTC with microseconds, so that text order is time order. */
final class Times {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    static String format(Instant t) {
        return t == null ? null : FORMAT.format(t);
    }

    static Instant parse(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
