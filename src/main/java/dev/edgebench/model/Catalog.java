package dev.edgebench.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named architectures edgebench can forge (resource {@code catalog.json} beside this class):
 * each model's published hyper-parameters, and each llama.cpp architecture's GGUF layout.
 * Immutable; thread-safe.
 */
public final class Catalog {
    private static volatile Catalog builtin;

    private final Map<String, ModelSpec> models;
    private final Map<String, ArchRecipe> architectures;

    /** One tensor of an architecture: a name template ({@code {i}} = layer), a shape, an initializer. */
    public record TensorRecipe(String name, List<String> shape, String init, String condition) {
    }

    /** One metadata entry of an architecture: a key template ({@code {arch}}), a type, a value expression. */
    public record MetaRecipe(String key, String type, String value, String condition) {
    }

    /** How an architecture lays out its GGUF. */
    public record ArchRecipe(String arch, List<MetaRecipe> metadata, List<TensorRecipe> tensors) {
    }

    /**
     * A named model.
     *
     * @param name                  catalog name, e.g. "Llama-3.2-1B"
     * @param arch                  llama.cpp architecture ({@code general.architecture})
     * @param config                where the hyper-parameters come from (public config)
     * @param publishedParams       the published parameter count
     * @param publishedParamsSource where that count comes from
     * @param tokenizer             the pinned source's vocabulary file ({@code models/ggml-vocab-<name>.gguf}), or null for synthetic
     * @param hparams               hyper-parameters: numbers and booleans by name
     */
    public record ModelSpec(String name, String arch, String config, long publishedParams, String publishedParamsSource,
                            String tokenizer, Map<String, Object> hparams) {
        /** @return an integer hyper-parameter */
        public long hparam(String key) {
            Object v = hparams.get(key);
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException(name + ": hyper-parameter " + key + " is not set");
            }
            return n.longValue();
        }

        /** @return a boolean hyper-parameter, false when absent */
        public boolean flag(String key) {
            return Boolean.TRUE.equals(hparams.get(key));
        }
    }

    private Catalog(Map<String, ModelSpec> models, Map<String, ArchRecipe> architectures) {
        this.models = models;
        this.architectures = architectures;
    }

    /** @return the catalog shipped with edgebench */
    public static Catalog builtin() {
        Catalog c = builtin;
        if (c == null) {
            try (InputStream in = Catalog.class.getResourceAsStream("catalog.json")) {
                if (in == null) {
                    throw new IllegalStateException("catalog.json is missing from the classpath");
                }
                c = parse(new ObjectMapper().readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the built-in catalog", e);
            }
            builtin = c;
        }
        return c;
    }

    static Catalog parse(JsonNode root) {
        Map<String, ArchRecipe> archs = new LinkedHashMap<>();
        root.path("architectures").fields().forEachRemaining(e -> {
            List<MetaRecipe> meta = new ArrayList<>();
            for (JsonNode m : e.getValue().path("metadata")) {
                meta.add(new MetaRecipe(m.path("key").asText(), m.path("type").asText(), m.path("value").asText(),
                        m.hasNonNull("if") ? m.get("if").asText() : null));
            }
            List<TensorRecipe> tensors = new ArrayList<>();
            for (JsonNode t : e.getValue().path("tensors")) {
                List<String> shape = new ArrayList<>();
                t.path("shape").forEach(s -> shape.add(s.asText()));
                tensors.add(new TensorRecipe(t.path("name").asText(), List.copyOf(shape), t.path("init").asText(),
                        t.hasNonNull("if") ? t.get("if").asText() : null));
            }
            archs.put(e.getKey(), new ArchRecipe(e.getKey(), List.copyOf(meta), List.copyOf(tensors)));
        });
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        for (JsonNode m : root.path("models")) {
            Map<String, Object> hp = new LinkedHashMap<>();
            m.path("hparams").fields().forEachRemaining(h -> {
                JsonNode v = h.getValue();
                hp.put(h.getKey(), v.isBoolean() ? (Object) v.asBoolean() : (Object) v.asDouble());
            });
            ModelSpec spec = new ModelSpec(m.path("name").asText(), m.path("arch").asText(), m.path("config").asText(),
                    m.path("published_params").asLong(), m.path("published_params_source").asText(),
                    m.hasNonNull("tokenizer") ? m.get("tokenizer").asText() : null, Collections.unmodifiableMap(hp));
            if (!archs.containsKey(spec.arch())) {
                throw new IllegalStateException("catalog model " + spec.name() + " uses architecture " + spec.arch()
                        + ", which the catalog does not describe");
            }
            models.put(spec.name().toLowerCase(java.util.Locale.ROOT), spec);
        }
        return new Catalog(Collections.unmodifiableMap(models), Collections.unmodifiableMap(archs));
    }

    /** @return every model, in catalog order */
    public List<ModelSpec> models() {
        return List.copyOf(models.values());
    }

    /**
     * @param name a catalog name, any case
     * @return the model
     * @throws IllegalArgumentException listing the known names
     */
    public ModelSpec model(String name) {
        ModelSpec m = name == null ? null : models.get(name.toLowerCase(java.util.Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; the catalog has: "
                    + models.values().stream().map(ModelSpec::name).toList());
        }
        return m;
    }

    /** @return whether a name is in the catalog */
    public boolean has(String name) {
        return name != null && models.containsKey(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** @return the recipe of an architecture */
    public ArchRecipe architecture(String arch) {
        ArchRecipe r = architectures.get(arch);
        if (r == null) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "'; the catalog has: " + architectures.keySet());
        }
        return r;
    }

    /**
     * Expands a model into its tensors (names, shapes, initializers), in file order.
     *
     * @return the planned tensors
     */
    public List<PlannedTensor> plan(ModelSpec m) {
        ArchRecipe r = architecture(m.arch());
        List<PlannedTensor> out = new ArrayList<>();
        int nLayer = (int) m.hparam("n_layer");
        for (TensorRecipe t : r.tensors()) {
            if (!holds(t.condition(), m)) {
                continue;
            }
            int layers = t.name().contains("{i}") ? nLayer : 1;
            for (int i = 0; i < layers; i++) {
                long[] ne = t.shape().stream().mapToLong(s -> Expr.evalDim(s, m.hparams())).toArray();
                out.add(new PlannedTensor(t.name().replace("{i}", Integer.toString(i)), ne, t.init()));
            }
        }
        return out;
    }

    /** A tensor to forge. */
    public record PlannedTensor(String name, long[] ne, String init) {
        public long nElements() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return n;
        }
    }

    /** @return the number of parameters the model has (tied embeddings counted once) */
    public long parameterCount(ModelSpec m) {
        return plan(m).stream().mapToLong(PlannedTensor::nElements).sum();
    }

    /** @return whether a recipe condition holds for a model (null = always) */
    static boolean holds(String condition, ModelSpec m) {
        if (condition == null || condition.isBlank()) {
            return true;
        }
        boolean negate = condition.startsWith("!");
        String key = negate ? condition.substring(1) : condition;
        Object v = m.hparams().get(key);
        boolean present = v instanceof Boolean b ? b : v != null;
        return negate != present;
    }
}
