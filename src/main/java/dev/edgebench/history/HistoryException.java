package dev.edgebench.history;

/**
 * A history operation that cannot proceed: the database is unreachable or refuses the
 * credentials, was written by a newer schema, a run conflicts with what is stored, or the input
 * is unusable. The message names what was wrong and what to do; commands exit with code 2.
 */
public final class HistoryException extends Exception {
    /** What went wrong, for callers that react differently (a workflow keeps going when the database is down). */
    public enum Kind {
        /** The database cannot be reached or opened. */
        UNREACHABLE,
        /** The server refused the user name or password. */
        CREDENTIALS,
        /** The database was written by a newer edgebench; nothing was changed. */
        NEWER_SCHEMA,
        /** A run id is stored with other content. */
        CONFLICT,
        /** The input or the request cannot be used (a corrupt run, an unknown series, too short a history). */
        BAD_INPUT
    }

    private final Kind kind;

    public HistoryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HistoryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
