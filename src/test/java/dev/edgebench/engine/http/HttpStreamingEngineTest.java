package dev.edgebench.engine.http;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngineProvider;
import dev.edgebench.engine.http.LoopbackStreamServer.Script;
import dev.edgebench.engine.http.StreamScripts.Usage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static dev.edgebench.engine.http.StreamScripts.gaps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP engines against {@link LoopbackStreamServer}: what each server's stream becomes, event by event. */
class HttpStreamingEngineTest {
    static final int[] PROMPT = {1, 15043, 3186, 29991};
    static final long MS = 1_000_000L;

    static RequestSpec request(int maxNew, long seed) {
        return new RequestSpec(PROMPT, maxNew, true, -1, -1, 0f, 0, 0f, true, seed, 40 + seed);
    }

    static HttpStreamingEngine open(LoopbackStreamServer s, String spec) {
        return HttpStreamingEngine.open(HttpEngineSpec.parse(spec.replace("URL", s.baseUri().toString())), "run-model", null);
    }

    static LoopbackStreamServer serve(Function<LoopbackStreamServer.Request, Script> responder) {
        return LoopbackStreamServer.start(responder, 8);
    }

    @Test
    void openAiTokenIdsGiveOneEventPerChunkWithTheServersIdsAndUsage() {
        try (var s = serve(r -> StreamScripts.openAi(gaps(5, MS), Usage.TOKEN_IDS, PROMPT.length));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(5, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals("[1000, 1001, 1002, 1003, 1004]", Drain.tokens(ev));
            assertEquals(6, ev.size(), "five token events and the final: " + ev);
            var fin = Drain.last(ev, id);
            assertTrue(fin.isFinal() && !fin.hasError());
            assertEquals(FinishReason.LENGTH, fin.finish());
            assertTrue(ev.stream().allMatch(x -> x.clientTag() == 41), "every event carries the client tag");
            RequestFigures f = e.figures(id);
            assertEquals("token-ids", f.tokenCounting());
            assertEquals(5, f.completionTokens());
            assertEquals(PROMPT.length, f.promptTokens());
            assertFalse(f.promptMismatch());
            assertEquals(200, f.httpStatus());
            String body = s.request(1).body();
            assertTrue(body.contains("\"model\":\"loopback-model\""), "the first model /v1/models lists: " + body);
            assertTrue(body.contains("\"prompt\":[1,15043,3186,29991]") && body.contains("\"stream\":true")
                    && body.contains("\"include_usage\":true") && body.contains("\"return_token_ids\":true")
                    && body.contains("\"max_tokens\":5") && body.contains("\"ignore_eos\":true"), body);
            assertEquals(s.request(1).path(), "/v1/completions");
            assertTrue(e.requestFiguresJson(id).contains("\"tokenCounting\":\"token-ids\""), e.requestFiguresJson(id));
        }
    }

    @Test
    void eachChunkIsTimestampedWhenItArrivesNotWhenTheStreamEnds() {
        try (var s = serve(r -> StreamScripts.openAi(gaps(5, 40 * MS), Usage.TOKEN_IDS, PROMPT.length));
             var e = open(s, "openai:URL")) {
            Drain.until(e, 5000, e.submit(request(5, 1)));      // a first exchange loads the client's classes
            long id = e.submit(request(5, 2));
            var ev = Drain.of(Drain.until(e, 5000, id), id);
            long spanNs = ev.get(4).recvNs() - ev.get(0).recvNs();
            assertTrue(spanNs >= 100 * MS, "chunks served over 160 ms arrive spread over it, not at once: " + spanNs / 1e6 + " ms");
        }
    }

    @Test
    void cumulativeUsageCountsEachChunkByItsDelta() {
        try (var s = serve(r -> StreamScripts.openAi(gaps(4, MS), Usage.CUMULATIVE, PROMPT.length));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(4, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals("[-1, -1, -1, -1]", Drain.tokens(ev), "counted, ids unknown");
            assertEquals("cumulative", e.figures(id).tokenCounting());
            assertEquals(4, e.figures(id).countedTokens());
        }
    }

    @Test
    void finalUsageOnlyGivesChunkGapsWithoutInventedTokenCounts() {
        try (var s = serve(r -> StreamScripts.openAi(gaps(4, MS), Usage.FINAL, PROMPT.length));
             var e = open(s, "openai:URL,extras=off")) {
            long id = e.submit(request(4, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals(5, ev.size());
            assertTrue(ev.stream().allMatch(x -> x.nTok() == 0), "chunk events carry no token count: " + ev);
            RequestFigures f = e.figures(id);
            assertEquals("chunks-only", f.tokenCounting());
            assertEquals(4, f.completionTokens(), "the total comes from the final usage");
            assertFalse(s.request(1).body().contains("return_token_ids"), "extras=off sends only standard fields");
        }
    }

    @Test
    void aServerIgnoringIncludeUsageLeavesTheCountUnknown() {
        try (var s = serve(r -> StreamScripts.openAi(gaps(3, MS), Usage.NONE, PROMPT.length));
             var e = open(s, "openai:URL,extras=off")) {
            long id = e.submit(request(3, 1));
            var ev = Drain.until(e, 5000, id);
            assertFalse(Drain.last(ev, id).hasError());
            RequestFigures f = e.figures(id);
            assertEquals("chunks-only", f.tokenCounting());
            assertEquals(-1, f.completionTokens());
            assertFalse(f.toJson().contains("completionTokens"), f.toJson());
        }
    }

    @Test
    void ollamaRecordsItsOwnCountsAndDurations() {
        try (var s = serve(r -> StreamScripts.ollama(gaps(3, MS), 7)); var e = open(s, "ollama:URL")) {
            long id = e.submit(request(3, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals(FinishReason.LENGTH, Drain.last(ev, id).finish());
            RequestFigures f = e.figures(id);
            assertEquals(123456789L, f.totalDurationNs());
            assertEquals(100000000L, f.evalDurationNs());
            assertEquals(3, f.completionTokens());
            assertEquals(7, f.promptTokens());
            assertTrue(f.promptMismatch(), "7 prompt tokens counted for 4 sent is reported");
            String body = s.request(1).body();
            assertEquals("/api/generate", s.request(1).path());
            assertTrue(body.contains("\"model\":\"run-model\"") && body.contains("\"context\":[1,15043,3186,29991]")
                    && body.contains("\"num_predict\":3"), body);
        }
    }

    @Test
    void llamaNativeGivesTokenIdsAndTheServersTimings() {
        try (var s = serve(r -> StreamScripts.llama(gaps(4, MS), PROMPT.length)); var e = open(s, "openai:URL,api=llama")) {
            long id = e.submit(request(4, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals("[2000, 2001, 2002, 2003]", Drain.tokens(ev));
            RequestFigures f = e.figures(id);
            assertEquals(12.5, f.promptMs());
            assertEquals(4, f.predictedN());
            assertEquals(40.0, f.predictedMs());
            assertEquals(4, f.completionTokens());
            assertTrue(s.request(1).body().contains("\"n_predict\":4") && s.request(1).body().contains("\"return_tokens\":true"));
        }
    }

    @Test
    void llamaChunksListingFewerIdsThanTheirCountCarryTheRestAsUnknownIds() {
        try (var s = serve(r -> new Script(200, List.of(
                new LoopbackStreamServer.Line(0, "data: {\"content\":\"a\",\"tokens\":[11],\"stop\":false,\"tokens_predicted\":1}\n\n"),
                new LoopbackStreamServer.Line(0, "data: {\"content\":\"\u00e9b\",\"tokens\":[13],\"stop\":false,\"tokens_predicted\":3}\n\n"),
                new LoopbackStreamServer.Line(0, "data: {\"content\":\"\",\"tokens\":[],\"stop\":true,\"tokens_predicted\":3,"
                        + "\"stop_type\":\"limit\"}\n\n"))));
             var e = open(s, "openai:URL,api=llama")) {
            long id = e.submit(request(3, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals("[11, -1, 13]", Drain.tokens(ev));
            assertEquals(2, ev.get(1).nTok(), "the second chunk carries two tokens");
            assertEquals(1, e.figures(id).chunksWithUnlistedIds());
            assertEquals(FinishReason.LENGTH, Drain.last(ev, id).finish());
        }
    }

    @Test
    void httpErrorsFailTheirRequestsAndTheOthersFinish() {
        try (var s = serve(r -> r.seed() % 2 == 0
                ? new Script(500, List.of(new LoopbackStreamServer.Line(0, "{\"error\":{\"message\":\"overloaded\"}}")))
                : StreamScripts.openAi(gaps(3, MS), Usage.TOKEN_IDS, PROMPT.length));
             var e = open(s, "openai:URL")) {
            long[] ids = new long[4];
            for (int i = 0; i < 4; i++) {
                ids[i] = e.submit(request(3, i));
            }
            var ev = Drain.until(e, 5000, ids);
            for (int i = 0; i < 4; i++) {
                var fin = Drain.last(ev, ids[i]);
                if (i % 2 == 0) {
                    assertTrue(fin.hasError(), "seed " + i);
                    assertTrue(e.errorText(ids[i]).startsWith("HTTP 500") && e.errorText(ids[i]).contains("overloaded"), e.errorText(ids[i]));
                } else {
                    assertFalse(fin.hasError(), "seed " + i);
                    assertEquals(null, e.errorText(ids[i]));
                    assertEquals(3, Drain.of(ev, ids[i]).size() - 1);
                }
            }
        }
    }

    @Test
    void aConnectionClosedBeforeAnyAnswerIsSentOnceMoreAndSaysSo() {
        // the second request reaches the server on the first one's kept-alive connection, which the
        // server closes without answering (as llama-server does after every stream, racing the client)
        try (var s = serve(r -> r.seq() == 2 ? LoopbackStreamServer.DROP : StreamScripts.openAi(gaps(3, MS), Usage.TOKEN_IDS, PROMPT.length));
             var e = open(s, "openai:URL")) {
            long first = e.submit(request(3, 1));
            assertFalse(Drain.last(Drain.until(e, 5000, first), first).hasError());
            long id = e.submit(request(3, 2));
            var fin = Drain.last(Drain.until(e, 5000, id), id);
            assertFalse(fin.hasError(), () -> e.errorText(id));
            assertEquals(FinishReason.LENGTH, fin.finish());
            assertEquals(3, s.requestCount(), "the dropped request and its one resend reached the server");
            assertEquals(s.request(2).body(), s.request(3).body(), "the resend is the same request");
            assertEquals(1, e.figures(id).resends());
            assertEquals(0, e.figures(first).resends());
            assertTrue(e.requestFiguresJson(id).contains("\"resends\":1"), e.requestFiguresJson(id));
        }
    }

    @Test
    void aServerThatClosesEveryConnectionUnansweredFailsTheRequestAfterOneResend() {
        try (var s = serve(r -> LoopbackStreamServer.DROP);
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(3, 1));
            var fin = Drain.last(Drain.until(e, 5000, id), id);
            assertTrue(fin.hasError());
            assertEquals(2, s.requestCount(), "sent once, then once more: never a loop");
            assertTrue(e.errorText(id).startsWith("no response from " + s.baseUri() + "/v1/completions: ")
                    && e.errorText(id).endsWith("(also when sent again on a new connection)"), e.errorText(id));
        }
    }

    @Test
    void aWrongModelNameIsTheRequestsErrorWithTheServersWords() {
        try (var s = serve(r -> new Script(404, List.of(new LoopbackStreamServer.Line(0,
                "{\"object\":\"error\",\"message\":\"The model `nope` does not exist.\",\"type\":\"NotFoundError\",\"code\":404}"))));
             var e = open(s, "openai:URL,model=nope")) {
            long id = e.submit(request(3, 1));
            var fin = Drain.last(Drain.until(e, 5000, id), id);
            assertTrue(fin.hasError());
            assertTrue(e.errorText(id).contains("HTTP 404") && e.errorText(id).contains("`nope` does not exist"), e.errorText(id));
            assertEquals(404, e.figures(id).httpStatus());
        }
    }

    @Test
    void aMalformedLineFailsItsRequestNamingTheLine() {
        try (var s = serve(r -> new Script(200, List.of(
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[{\"text\":\"a\",\"token_ids\":[5]}]}\n\n"),
                new LoopbackStreamServer.Line(MS, "data: {\"choices\":[{\"text\":\"b\"\n\n"),
                new LoopbackStreamServer.Line(MS, "data: [DONE]\n\n"))));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(3, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals(1, ev.get(0).nTok());
            assertTrue(Drain.last(ev, id).hasError());
            assertTrue(e.errorText(id).startsWith("malformed line 2") && e.errorText(id).contains("{\"choices\":[{\"text\":\"b\""), e.errorText(id));
        }
    }

    @Test
    void aStreamEndingWithoutItsEndMarkerIsAnError() {
        try (var s = serve(r -> new Script(200, List.of(
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[{\"text\":\"a\",\"token_ids\":[5]}]}\n\n"))));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(3, 1));
            var ev = Drain.until(e, 5000, id);
            assertTrue(Drain.last(ev, id).hasError());
            assertEquals("the stream ended before its end marker, after 1 chunks", e.errorText(id));
        }
    }

    @Test
    void aServerThatDoesNotStreamIsNamed() {
        try (var s = serve(r -> new Script(200, List.of(new LoopbackStreamServer.Line(0,
                "{\"choices\":[{\"text\":\"all at once\",\"finish_reason\":\"length\"}],\"usage\":{\"completion_tokens\":3}}\n"))));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(3, 1));
            assertTrue(Drain.last(Drain.until(e, 5000, id), id).hasError());
            assertTrue(e.errorText(id).startsWith("the server answered with plain JSON, not an event stream"), e.errorText(id));
        }
    }

    @Test
    void serverErrorsReportedMidStreamFailTheRequest() {
        try (var s = serve(r -> new Script(200, List.of(
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[{\"text\":\"a\",\"token_ids\":[5]}]}\n\n"),
                new LoopbackStreamServer.Line(0, "data: {\"error\":{\"code\":500,\"message\":\"slot died\",\"type\":\"server_error\"}}\n\n"))));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(3, 1));
            Drain.until(e, 5000, id);
            assertTrue(e.errorText(id).contains("slot died"), e.errorText(id));
        }
    }

    @Test
    void cancellingClosesTheExchangeAndEndsTheRequestAsCancelled() throws InterruptedException {
        try (var s = serve(r -> StreamScripts.openAi(gaps(200, 10 * MS), Usage.TOKEN_IDS, PROMPT.length));
             var e = open(s, "openai:URL")) {
            long id = e.submit(request(200, 1));
            var ev = new dev.edgebench.engine.PolledEvents(e.eventCapacity(), 64);
            int tokens = 0;
            long deadline = System.nanoTime() + 5000 * MS;
            while (tokens < 2 && System.nanoTime() < deadline) {
                if (e.poll(50, ev) > 0) {
                    tokens += ev.tokenCount();
                }
            }
            assertTrue(tokens >= 2, "two tokens arrived");
            assertTrue(e.cancel(id));
            assertFalse(e.cancel(id), "a second cancel finds it ended");
            var fin = Drain.last(Drain.until(e, 5000, id), id);
            assertEquals(FinishReason.CANCELLED, fin.finish());
            assertFalse(fin.hasError());
            assertTrue(e.figures(id).cancelled());
            for (int i = 0; i < 100 && s.clientsGone() == 0; i++) {
                Thread.sleep(50);
            }
            assertEquals(1, s.clientsGone(), "the server saw the connection closed before its last line");
        }
    }

    @Test
    void prometheusMetricsAreScrapedForDeltasAroundASteps() {
        try (var s = serve(r -> StreamScripts.openAi(gaps(2, MS), Usage.TOKEN_IDS, PROMPT.length)); var e = open(s, "openai:URL")) {
            var before = e.scrapeMetrics();
            Drain.until(e, 5000, e.submit(request(2, 1)), e.submit(request(2, 2)));
            var delta = PrometheusText.delta(before, e.scrapeMetrics());
            assertEquals(2.0, delta.get("loopback:requests_total"));
            assertEquals(0.0, delta.get("loopback:streams{kind=\"sse\"}"));
        }
        assertEquals("metrics line 2 has no numeric value: x y",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# c\nx y")).getMessage());
    }

    @Test
    void chatSendsTheServersDetokenizedPromptAndReadsDeltas() {
        String chunk = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                + "\"finish_reason\":null}]}\n\n";
        try (var s = serve(r -> new Script(200, List.of(
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\n\n"),
                new LoopbackStreamServer.Line(MS, chunk), new LoopbackStreamServer.Line(MS, chunk),
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"),
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}\n\n"),
                new LoopbackStreamServer.Line(0, "data: [DONE]\n\n"))));
             var e = open(s, "openai:URL,api=chat")) {
            long id = e.submit(request(2, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals(3, ev.size(), "the role delta makes no event; two content chunks and the final do: " + ev);
            assertEquals(FinishReason.END_ID, Drain.last(ev, id).finish());
            String body = s.request(1).body();
            assertEquals("/v1/chat/completions", s.request(1).path());
            assertTrue(body.contains("\"messages\":[{\"role\":\"user\",\"content\":\"loopback prompt\"}]"), body);
            RequestFigures f = e.figures(id);
            assertEquals("chunks-only", f.tokenCounting());
            assertTrue(f.promptMismatch(), "9 prompt tokens after the text round trip, 4 ids sent");
        }
    }

    @Test
    void theProviderIsFoundBySpecification() {
        assertInstanceOf(HttpEngineProvider.class, StreamingEngineProvider.forSpec("openai:http://127.0.0.1:8000"));
        assertInstanceOf(HttpEngineProvider.class, StreamingEngineProvider.forSpec("ollama:http://127.0.0.1:11434"));
        assertInstanceOf(HttpEngineProvider.class, StreamingEngineProvider.forSpec("llama-server"));
    }
}
