package dev.edgebench.model;

import java.nio.file.Path;

/**
 * A tiny program the tests run as another user (see {@link AsNobody}): reads a model the way the
 * commands do and prints one line, {@code ok ...} or {@code error <exception>: <message>}.
 *
 * <pre>
 *   facts FILE            ModelFacts.of(FILE)
 *   resolve-sha256 MODEL  Models.resolve(MODEL) (forging only float types), then its sha256
 *                         from ModelDigests.defaultStore(): prints the path and the hash
 * </pre>
 */
public final class ModelFileProbe {
    private ModelFileProbe() {
    }

    public static void main(String[] args) {
        try {
            String out = switch (args[0]) {
                case "facts" -> ModelFacts.of(Path.of(args[1])).architecture();
                case "resolve-sha256" -> {
                    Path p = Models.resolve(Models.parse(args[1], Catalog.builtin()), null, s -> { });
                    yield p + " " + ModelDigests.defaultStore().sha256(p);
                }
                default -> throw new IllegalArgumentException("unknown probe " + args[0]);
            };
            System.out.println("ok " + out);
        } catch (Exception e) {
            System.out.println("error " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
