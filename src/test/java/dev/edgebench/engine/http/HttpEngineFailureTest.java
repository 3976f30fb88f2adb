package dev.edgebench.engine.http;

import dev.edgebench.engine.http.StreamScripts.Usage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.edgebench.engine.http.HttpStreamingEngineTest.MS;
import static dev.edgebench.engine.http.HttpStreamingEngineTest.request;
import static dev.edgebench.engine.http.StreamScripts.gaps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transport failures, each against a loopback socket of the test's own: nothing listening, a server
 * that accepts but never answers, a stream that falls silent, a connection cut mid-stream, a server
 * that goes away between requests; and bad engine specifications.
 */
class HttpEngineFailureTest {

    /** A port nobody listens on (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aServerThatIsNotRunningIsNamedWhenTheEngineOpens() throws IOException {
        int port = closedPort();
        var ex = assertThrows(UncheckedIOException.class, () -> HttpStreamingEngine.open(
                HttpEngineSpec.parse("openai:http://127.0.0.1:" + port + ",connect-ms=2000"), "m", null));
        assertTrue(ex.getMessage().contains("127.0.0.1:" + port) && ex.getMessage().contains("does not answer")
                && ex.getMessage().contains("is it running?"), ex.getMessage());
    }

    @Test
    void aServerThatGoesAwayFailsLaterRequestsAsRefused() {
        LoopbackStreamServer s = LoopbackStreamServer.start(r -> StreamScripts.openAi(gaps(2, MS), Usage.TOKEN_IDS, 4), 4);
        try (var e = HttpStreamingEngine.open(HttpEngineSpec.parse("openai:" + s.baseUri() + ",connect-ms=2000"), "m", null)) {
            long ok = e.submit(request(2, 1));
            Drain.until(e, 5000, ok);
            s.close();
            long refused = e.submit(request(2, 2));
            var fin = Drain.last(Drain.until(e, 5000, refused), refused);
            assertTrue(fin.hasError());
            assertTrue(e.errorText(refused).startsWith("no response from " + s.baseUri() + "/v1/completions: ConnectException"),
                    e.errorText(refused));
            assertEquals(null, e.errorText(ok));
        } finally {
            s.close();
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutTheRequest() throws IOException {
        // accepts connections (the backlog completes them) but never reads or writes
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             var e = openUnchecked("openai:http://127.0.0.1:" + silent.getLocalPort() + ",model=m,first-byte-ms=300")) {
            long id = e.submit(request(2, 1));
            long t0 = System.nanoTime();
            var fin = Drain.last(Drain.until(e, 5000, id), id);
            assertTrue(fin.hasError());
            assertTrue(e.errorText(id).contains("HttpTimeoutException"), e.errorText(id));
            assertTrue(System.nanoTime() - t0 < 3000 * MS, "ended by the 300 ms limit");
        }
    }

    @Test
    void aStreamThatFallsSilentIsEndedByTheStallLimit() {
        try (var s = LoopbackStreamServer.start(r -> new LoopbackStreamServer.Script(200, List.of(
                new LoopbackStreamServer.Line(0, "data: {\"choices\":[{\"text\":\"a\",\"token_ids\":[5]}]}\n\n"),
                new LoopbackStreamServer.Line(10_000 * MS, "data: [DONE]\n\n"))), 2);
             var e = openUnchecked("openai:" + s.baseUri() + ",stall-ms=300")) {
            long id = e.submit(request(2, 1));
            var ev = Drain.until(e, 5000, id);
            assertEquals(1, ev.get(0).nTok());
            assertTrue(Drain.last(ev, id).hasError());
            assertEquals("the stream was silent for more than 300 ms after 1 chunks", e.errorText(id));
        }
    }

    @Test
    void aConnectionCutMidStreamFailsTheRequest() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try (Socket c = raw.accept()) {
                    readHeadersAndBody(c.getInputStream());
                    OutputStream o = c.getOutputStream();
                    String line = "data: {\"choices\":[{\"text\":\"a\",\"token_ids\":[7]}]}\n\n";
                    o.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(line.length()) + "\r\n" + line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                    // then the connection drops: no terminating chunk, no [DONE]
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (var e = openUnchecked("openai:http://127.0.0.1:" + raw.getLocalPort() + ",model=m")) {
                long id = e.submit(request(2, 1));
                var ev = Drain.until(e, 5000, id);
                assertEquals(7, ev.get(0).tokens()[0]);
                assertTrue(Drain.last(ev, id).hasError());
                assertTrue(e.errorText(id).startsWith("the stream broke after 1 chunks: "), e.errorText(id));
            }
            t.join(5000);
        }
    }

    @Test
    void badSpecificationsAreNamed() {
        assertEquals("engine 'openai:ftp://x': 'ftp://x' is not an http:// or https:// URL with a host",
                assertThrows(IllegalArgumentException.class, () -> HttpEngineSpec.parse("openai:ftp://x")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HttpEngineSpec.parse("openai:http://h:1,api=grpc"))
                .getMessage().contains("api=grpc is not completions, chat or llama"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HttpEngineSpec.parse("ollama:http://h:1,api=chat"))
                .getMessage().contains("api= applies to openai: and llama-server only"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HttpEngineSpec.parse("openai:http://h:1,stall-ms=-3"))
                .getMessage().contains("stall-ms=-3 is not a positive number of milliseconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HttpEngineSpec.parse("openai:http://h:1,colour=red"))
                .getMessage().contains("unknown option 'colour'"));
        assertEquals("http://h:8000", HttpEngineSpec.parse("openai:http://h:8000/v1/").baseUri().toString());
        assertEquals(Dialect.LLAMA, HttpEngineSpec.parse("llama-server").dialect());
    }

    /** Opens without the reachability check's model lookup: {@code model=} is given, so only requests touch the server. */
    private static HttpStreamingEngine openUnchecked(String spec) {
        return HttpStreamingEngine.open(HttpEngineSpec.parse(spec.contains("model=") ? spec : spec + ",model=m"), "m", null);
    }

    private static void readHeadersAndBody(InputStream in) throws IOException {
        StringBuilder h = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            h.append((char) c);
            if (h.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        String headers = h.toString().toLowerCase();
        int i = headers.indexOf("content-length:");
        int len = i < 0 ? 0 : Integer.parseInt(headers.substring(i + 15, headers.indexOf("\r\n", i)).trim());
        in.readNBytes(len);
    }
}
