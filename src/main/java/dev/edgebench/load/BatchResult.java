package dev.edgebench.load;

import dev.edgebench.latency.RequestMetrics;
import dev.edgebench.latency.RequestTimeline;

import java.util.List;

/**
 * What one batch of the {@link RequestDriver} measured: every measured request's timeline (warm-up
 * requests left out), its record, and the batch's throughput and goodput. Immutable after the
 * driver returns it.
 *
 * @param spec      what was asked
 * @param startNs   the batch's start (schedule offsets count from it)
 * @param timelines measured requests, in issue order
 * @param records   the same requests as records
 * @param stats     throughput, goodput and errors
 * @param interrupted whether {@link RequestDriver#interrupt} stopped it: the requests in flight then are
 *                  recorded as cancelled, those not yet issued are not recorded
 */
public record BatchResult(LoadSpec spec, long startNs, List<RequestTimeline> timelines, List<RequestRecord> records,
                          RequestMetrics.BatchStats stats, boolean interrupted) {
}
