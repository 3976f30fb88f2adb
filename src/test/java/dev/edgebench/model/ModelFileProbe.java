package dev.edgebench.model;

import java.nio.file.Path;

/**
 * A tiny program the tests run as another user (see {@link AsNobody}): reads a model the way the
 * commands do and prints one line, {@code ok ...} or {@code error <exception>: <message>}.
 *
 * <pre>
 *   facts FILE            ModelFacts.of(FILE)
 * </pre>
 */
public final class ModelFileProbe {
    private ModelFileProbe() {
    }

    public static void main(String[] args) {
        try {
            String out = switch (args[0]) {
                case "facts" -> ModelFacts.of(Path.of(args[1])).architecture();
                default -> throw new IllegalArgumentException("unknown probe " + args[0]);
            };
            System.out.println("ok " + out);
        } catch (Exception e) {
            System.out.println("error " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
