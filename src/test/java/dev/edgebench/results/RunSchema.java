package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validates documents against results/run.schema.json, for tests. */
public final class RunSchema {
    private RunSchema() {
    }

    /** Fails the test with every violation listed. */
    public static void assertValid(JsonNode doc) throws IOException {
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Files.readString(projectDir().resolve("results/run.schema.json")));
        Set<ValidationMessage> errors = schema.validate(doc);
        assertTrue(errors.isEmpty(), () -> "run.json does not match results/run.schema.json: " + errors);
    }

    /** @return the project root (surefire passes edgebench.project.dir) */
    public static Path projectDir() {
        return Path.of(System.getProperty("edgebench.project.dir", ".")).toAbsolutePath();
    }
}
