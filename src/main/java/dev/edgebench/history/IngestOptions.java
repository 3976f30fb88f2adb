package dev.edgebench.history;

import java.time.Instant;

/**
 * What ingest may be told beside the result files: facts a run.json does not record, or a JMH
 * file does not hold at all. Every field may be null (taken from the run). Immutable.
 *
 * @param runId         the run id for a JMH file (default: its folder's name); ignored for run.json unless given
 * @param startedAt     the start time for a JMH file (default: kernels.json beside it, else the file's modification time)
 * @param codeCommit    the git commit of the code under test (e.g. $GITHUB_SHA)
 * @param device        the device (default: from the run)
 * @param configuration the configuration (default: preset and power mode)
 */
public record IngestOptions(String runId, Instant startedAt, String codeCommit, String device, String configuration) {
    /** Nothing given: everything from the run. */
    public static final IngestOptions NONE = new IngestOptions(null, null, null, null, null);
}
