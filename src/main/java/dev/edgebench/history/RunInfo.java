package dev.edgebench.history;

import java.time.Instant;

/**
 * One ingested run as the history holds it: its identity and the facts that tell runs apart.
 * Immutable. The JSON fields are the run document's own objects, stored as text.
 *
 * @param runId           the run's id (run.json {@code runId}, or given at ingest for a JMH file)
 * @param contentSha256   sha256 of the ingested result file: the same id with other content is a conflict
 * @param format          {@code edgebench.run/1} or {@code jmh}
 * @param startedAt       when the run started: the history's order
 * @param finishedAt      when it finished, or null
 * @param status          complete, partial, interrupted (null for JMH files)
 * @param preset          the methodology preset, or {@code jmh}
 * @param device          what was measured on: the GPU for a GPU build, else the CPU model
 * @param configuration   what must match for two runs to be one series besides the benchmark: preset and power mode
 * @param host            host name, or null
 * @param cpuModel        CPU model, or null
 * @param gpu             the GPUs' names, or null
 * @param driver          the GPU driver, or null
 * @param powerMode       the Jetson power mode (nvpmodel) or CPU governor, or null
 * @param engineName      e.g. llama.cpp
 * @param engineProfile   the native build profile (cpu, cuda, jetson-orin, ...)
 * @param engineRelease   the engine release the build came from
 * @param engineCommit    the engine source's git commit
 * @param codeCommit      the git commit of the code under test, when recorded (given at ingest, e.g. $GITHUB_SHA)
 * @param buildManifest   the native build's manifest.json, as JSON text, or null
 * @param environment     run.json's {@code environment} object, as JSON text, or null
 * @param sourcePath      where it was ingested from
 * @param ingestedAt      when it was ingested
 */
public record RunInfo(String runId, String contentSha256, String format, Instant startedAt, Instant finishedAt, String status,
                      String preset, String device, String configuration, String host, String cpuModel, String gpu, String driver,
                      String powerMode, String engineName, String engineProfile, String engineRelease, String engineCommit,
                      String codeCommit, String buildManifest, String environment, String sourcePath, Instant ingestedAt) {
    /** @return the commit to label the run with: the code under test's, else the engine's, else the run id */
    public String label() {
        if (codeCommit != null && !codeCommit.isBlank()) {
            return codeCommit.length() > 12 ? codeCommit.substring(0, 12) : codeCommit;
        }
        if (engineCommit != null && !engineCommit.isBlank()) {
            return "engine " + (engineCommit.length() > 12 ? engineCommit.substring(0, 12) : engineCommit);
        }
        return runId;
    }
}
