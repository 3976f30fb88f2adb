package dev.edgebench.compare;

/**
 * An input that compare, baseline or ab cannot use: a missing, empty or corrupt result file, a
 * result of another schema version, two result sets with no benchmark in common. The CLI turns
 * it into exit code {@value #EXIT_CODE}, distinct from "regression found" (1).
 */
public final class BadInputException extends Exception {
    /** Exit code of every command that meets bad input. */
    public static final int EXIT_CODE = 2;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
