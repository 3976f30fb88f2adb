package dev.edgebench.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads and writes {@link RunDocument}s. Reading accepts the current schema and
 * {@value RunDocument#SCHEMA_V1}: the two differ only in names ({@code preset.overridden} became
 * {@code preset.options}) and in fields run/2 added, so a run/1 file reads into the same records
 * and baselines stored by earlier versions keep working.
 */
public final class RunDocuments {
    private static final ObjectMapper JSON = RunFolder.json();

    private RunDocuments() {
    }

    /** @return whether this version reads documents of {@code schema} */
    public static boolean readable(String schema) {
        return RunDocument.SCHEMA.equals(schema) || RunDocument.SCHEMA_V1.equals(schema);
    }

    /**
     * @throws IOException              when the file cannot be read or is not JSON
     * @throws IllegalArgumentException when it is JSON of another schema
     */
    public static RunDocument read(Path file) throws IOException {
        return of(JSON.readTree(file.toFile()), file.toString());
    }

    /**
     * @param where names the document in messages
     * @throws IllegalArgumentException when the tree is not a run document of a readable schema
     */
    public static RunDocument of(JsonNode tree, String where) {
        String schema = tree.path("schema").asText("");
        if (!readable(schema)) {
            throw new IllegalArgumentException(where + " has schema '" + schema + "'; this edgebench reads '" + RunDocument.SCHEMA
                    + "' and '" + RunDocument.SCHEMA_V1 + "'");
        }
        try {
            return JSON.treeToValue(tree, RunDocument.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not a valid run document: " + e.getOriginalMessage());
        }
    }

    /** Writes atomically (a temporary file of this writer's own, then a rename). */
    public static void write(Path file, RunDocument doc) throws IOException {
        RunFolder.writeJson(file, doc);
    }

    /** @return a JSON tree of any value (environment and engine descriptions) */
    public static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }
}
