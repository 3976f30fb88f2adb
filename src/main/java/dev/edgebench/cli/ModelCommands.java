package dev.edgebench.cli;

/**
 * The entries of the hand-written dispatcher for {@code forge}, {@code facts} and {@code catalog},
 * which are now the picocli commands {@link ForgeCommand}, {@link FactsCommand} and
 * {@link CatalogCommand}. Goes when the top-level command registers those as subcommands.
 */
final class ModelCommands {
    private ModelCommands() {
    }

    static int forge(String[] args) {
        return ForgeCommand.run(args);
    }

    static int facts(String[] args) {
        return FactsCommand.run(args);
    }

    static int catalog(String[] args) {
        return CatalogCommand.run(args);
    }
}
