package dev.edgebench.history;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Opens the trend page of a planted kernel history in a real headless Chromium, as compare's
 * report test does: the page loads without script errors, every series' chart renders and
 * paints, and the one change point is drawn. Tagged "browser"; keeps a screenshot in
 * {@code target/history-trend.png}.
 */
@Tag("browser")
class TrendReportBrowserTest {
    @TempDir
    Path tmp;

    @Test
    void trendPageLoadsAndDrawsEverySeriesAndTheChange() throws Exception {
        KernelHistory h = new KernelHistory(KernelHistory.PLANTED_DRAWS);
        List<Series> series = h.series(40, 5, KernelHistory.PLANTED_OP, 25, 1.05);
        ChangeDetection.Report r = ChangeDetection.detect(series, ChangeDetection.Options.DEFAULTS);
        assertEquals(1, r.changes().size());
        Path html = tmp.resolve("history.html");
        Files.writeString(html, TrendReport.render(r, "edgebench history: planted kernel change"));
        String page = Files.readString(html);
        assertFalse(page.contains("src=\"http") || page.contains("href=\"http"), "self-contained: nothing fetched");
        assertTrue(page.indexOf(KernelHistory.PLANTED_OP) < page.indexOf("GET_ROWS"), "the changed series comes first");

        String dom = chromium(tmp.resolve("profile"), "--dump-dom", html.toUri().toString());
        assertEquals(String.valueOf(series.size()), attr(dom, "data-charts"), () -> "charts planned; " + body(dom));
        assertEquals("true", attr(dom, "data-render-complete"), () -> "render complete; " + body(dom));
        assertEquals("0", attr(dom, "data-errors"), () -> "script errors: " + dom.substring(Math.max(0, dom.indexOf("id=\"errors\"")),
                Math.min(dom.length(), dom.indexOf("id=\"errors\"") + 600)));
        assertEquals(attr(dom, "data-charts"), attr(dom, "data-rendered"));
        assertEquals(attr(dom, "data-charts"), attr(dom, "data-painted"), "every chart painted its canvas");
        assertEquals("1", attr(dom, "data-changes"), "one change line drawn");
        assertTrue(dom.contains("r25 (#25)"), "the change table names the run");

        Path png = Path.of(System.getProperty("edgebench.project.dir", ".")).resolve("target/history-trend.png");
        Files.createDirectories(png.getParent());
        chromium(tmp.resolve("profile2"), "--screenshot=" + png.toAbsolutePath(), html.toUri().toString());
        assertTrue(Files.size(png) > 10_000, "screenshot written");
    }

    private static String chromium(Path userDir, String... args) throws IOException, InterruptedException {
        String exe = null;
        for (String c : new String[]{System.getenv("EDGEBENCH_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (c != null && Files.isExecutable(Path.of(c))) {
                exe = c;
                break;
            }
        }
        if (exe == null) {
            fail("no headless Chromium found (/usr/bin/chromium, chromium-browser, google-chrome, $EDGEBENCH_CHROMIUM); `make test` installs"
                    + " Debian's chromium, or run `apt-get install chromium`");
        }
        List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + userDir,
                "--window-size=1280,2400", "--virtual-time-budget=10000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within 120 s");
        }
        assertEquals(0, p.exitValue(), "chromium exit code");
        return new String(out);
    }

    private static String attr(String dom, String name) {
        Matcher m = Pattern.compile("<body[^>]*\\s" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(dom);
        return m.find() ? m.group(1) : null;
    }

    private static String body(String dom) {
        int i = dom.indexOf("<body");
        return i < 0 ? dom.substring(0, Math.min(400, dom.length())) : dom.substring(i, dom.indexOf('>', i) + 1);
    }
}
