package dev.edgebench.engine;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a run records of its streaming engine before the benchmarks open it (run.json's
 * {@code engine.streamingEngine}), found by {@link StreamingEngineProvider#preflight} without
 * loading a model.
 *
 * @param spec          the specification the user gave
 * @param kind          {@code in-process}, {@code local server} (started by edgebench) or {@code server}
 * @param library       the library or program that runs the engine on this machine, or null (a server elsewhere)
 * @param address       the engine directory (TensorRT-LLM) or base URL (servers), or null
 * @param version       the backend's own name and version where it tells, or null
 * (null fields are left out of run.json)
 * @param loadsRunModel whether the engine loads the run's GGUF model on this machine (llama.cpp in-process or
 *                      its server): the run then checks that the model fits here; otherwise the model only
 *                      gives the prompts' vocabulary
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EngineFacts(String spec, String kind, String library, String address, String version, boolean loadsRunModel) {
}
