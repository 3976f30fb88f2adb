package dev.edgebench.load;

/**
 * One request as {@code requests/<benchmark>.jsonl} stores it: one JSON line per request. Times
 * are ns; absolute ones are on the monotonic clock of the process that ran the batch (comparable
 * within a batch only), the per-token arrivals are offsets from the request's scheduled start.
 *
 * @param iteration          the JMH iteration (as in {@code samples/<id>.jsonl}) the request belongs to; 0 outside a benchmark
 * @param index              the request's place in its batch (0-based)
 * @param engineRequestId    the engine's id for it (0 when the engine refused it)
 * @param promptTokens       prompt length
 * @param maxNewTokens       output tokens asked for
 * @param scheduleOffsetNs   planned start − the batch's start (open loop: the seeded schedule; closed loop: when a slot freed)
 * @param scheduledNs        planned start: every latency is measured from it
 * @param sentNs             handed to the engine
 * @param issueDelayNs       sentNs − scheduledNs
 * @param firstTokenNs       first token's arrival (0: none)
 * @param lastTokenNs        last token's arrival (0: none)
 * @param endNs              final event's arrival (0: none)
 * @param tokens             output tokens received
 * @param chunks             events that carried tokens
 * @param chunkSizes         tokens of each such event, in order
 * @param tokenArrivalsNs    each token's arrival − scheduledNs
 * @param ttftNs             first token − scheduled (-1: no token)
 * @param tpotNs             (E2E − TTFT) / (tokens − 1) (-1: fewer than two tokens)
 * @param e2eNs              last token (or final event) − scheduled (-1: never ended)
 * @param finishReason       the engine's reason (LENGTH, END_ID, CANCELLED, UNKNOWN, ...), or NONE when it never ended
 * @param error              why it failed, or null
 * @param engineFirstTokenNs the engine's own first-token time where it reports one, else 0
 * @param engineLastTokenNs  the engine's own last-token time where it reports one, else 0
 * @param good               met every SLO
 * @param engineFigures      the engine's own figures for the request (a server's usage, timings or
 *                           durations, how its chunks' tokens were counted, resends), or null
 */
public record RequestRecord(int iteration, int index, long engineRequestId, int promptTokens, int maxNewTokens, long scheduleOffsetNs,
                            long scheduledNs, long sentNs, long issueDelayNs, long firstTokenNs, long lastTokenNs, long endNs,
                            int tokens, int chunks, int[] chunkSizes, long[] tokenArrivalsNs, long ttftNs, double tpotNs,
                            long e2eNs, String finishReason, String error, long engineFirstTokenNs, long engineLastTokenNs,
                            boolean good, com.fasterxml.jackson.databind.JsonNode engineFigures) {
}
