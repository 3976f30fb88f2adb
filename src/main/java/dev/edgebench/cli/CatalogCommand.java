package dev.edgebench.cli;

import dev.edgebench.model.Catalog;
import picocli.CommandLine;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code catalog}: the named architectures {@code forge} can make, with their parameter counts. */
@CommandLine.Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Lists the catalog's models: name, architecture, parameters (counted from the forged layout and as"
                + " published) and tokenizer.")
public final class CatalogCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Catalog c = Catalog.builtin();
        System.out.printf(Locale.ROOT, "%-16s %-7s %14s %14s  %s%n", "name", "arch", "params", "published", "tokenizer");
        for (Catalog.ModelSpec m : c.models()) {
            System.out.printf(Locale.ROOT, "%-16s %-7s %,14d %,14d  %s%n", m.name(), m.arch(), c.parameterCount(m),
                    m.publishedParams(), m.tokenizer() == null ? "synthetic" : m.tokenizer());
        }
        return 0;
    }
}
