package dev.edgebench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code facts NAME:TYPE|FILE.gguf}: a model's size and roofline facts as JSON on standard output
 * (a catalog model is forged first when it is not cached).
 */
@CommandLine.Command(name = "facts", mixinStandardHelpOptions = true,
        description = "Prints a model's facts as JSON: architecture, file type, parameters, bytes and matrix weights per token"
                + " (the roofline's inputs). A catalog model is forged first when it is not cached.",
        footer = {"", "Exit codes: 0 done; 2 bad input (unknown model, a file that is missing, unreadable or not GGUF)."})
public final class FactsCommand implements Callable<Integer> {
    @CommandLine.Parameters(paramLabel = "MODEL", description = "a catalog model NAME:TYPE[@SEED] (e.g. Llama-3.2-1B:Q4_0) or a .gguf file")
    String model;

    @Override
    public Integer call() throws IOException {
        Models.Ref ref = Models.parse(model, Catalog.builtin());
        ModelFacts f;
        try {
            Path p = Models.resolve(ref, new LlamaQuantizer(), System.err::println);
            f = ModelFacts.of(p);
        } catch (ModelForge.ForgeException | GgufFormatException e) {
            System.err.println("facts: " + e.getMessage());
            return Cli.BAD_INPUT;
        } catch (IOException e) {
            System.err.println("facts: cannot read the model: " + IoErrors.describe(e));
            return Cli.BAD_INPUT;
        }
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(f.toMap()));
        return 0;
    }
}
