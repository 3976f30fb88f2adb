package dev.edgebench.compare;

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
 * Opens compare's HTML report in a real headless Chromium (Debian's {@code chromium}; {@code make
 * test} installs it) and checks that the page loads without script errors and that every chart
 * rendered and painted its canvas. Needs the browser: tagged "browser" (exclude with
 * {@code -Dtest.excludedGroups=browser} where there is none). Keeps a screenshot in
 * {@code target/compare-report.png}.
 */
@Tag("browser")
class HtmlReportBrowserTest {
    @TempDir
    Path tmp;

    static Path chromium() {
        String env = System.getenv("EDGEBENCH_CHROMIUM");
        for (String c : new String[]{env, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (c != null && Files.isExecutable(Path.of(c))) {
                return Path.of(c);
            }
        }
        fail("no headless Chromium found (looked for /usr/bin/chromium, chromium-browser, google-chrome, $EDGEBENCH_CHROMIUM);"
                + " `make test` installs Debian's chromium, or run `apt-get install chromium`");
        return null;
    }

    static String runChromium(Path userDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + userDir, "--window-size=1280,2400", "--virtual-time-budget=10000"));
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

    static String attr(String dom, String name) {
        Matcher m = Pattern.compile("<body[^>]*\\s" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(dom);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void reportLoadsAndEveryChartRenders() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "baseline-run", 1, Fixtures.bench(), Fixtures.bench().batch(8).mean(60),
                Fixtures.bench().kind("prefill").mean(120).itl(0, 1));
        Path b = Fixtures.run(tmp.resolve("b"), "current-run", 2, Fixtures.bench().mean(18).itl(50_000, 2),
                Fixtures.bench().batch(8).mean(61), Fixtures.bench().kind("prefill").mean(131).itl(0, 1));
        Comparison c = Comparer.compare(ResultLoader.load(a), ResultLoader.load(b), CompareConfig.defaults().suite("ci"), 2000, 1);
        Path html = tmp.resolve("compare.html");
        Files.writeString(html, HtmlReport.render(c));
        String page = Files.readString(html);
        assertFalse(page.contains("src=\"http") || page.contains("href=\"http"), "self-contained: nothing fetched");

        String dom = runChromium(tmp.resolve("profile"), "--dump-dom", html.toUri().toString());
        String charts = attr(dom, "data-charts");
        // 2 metric groups (decode.tok_s, prefill.tok_s) + ratio chart + latency ratio chart + 2 itl percentile curves
        assertEquals("6", charts, () -> "charts planned; body: " + bodyTag(dom));
        assertEquals("true", attr(dom, "data-render-complete"), () -> "render complete; body: " + bodyTag(dom));
        assertEquals("0", attr(dom, "data-errors"), () -> "script errors; page said: " + errorText(dom));
        assertEquals(charts, attr(dom, "data-rendered"));
        assertEquals(charts, attr(dom, "data-painted"), "every chart painted its canvas");
        assertTrue(dom.contains("edgebench compare: 2 regressions"), "headline in the page (decode.tok_s and itl p99)");

        Path png = Path.of(System.getProperty("edgebench.project.dir", ".")).resolve("target/compare-report.png");
        Files.createDirectories(png.getParent());
        runChromium(tmp.resolve("profile2"), "--screenshot=" + png.toAbsolutePath(), html.toUri().toString());
        assertTrue(Files.size(png) > 10_000, "screenshot written");
    }

    private static String bodyTag(String dom) {
        int i = dom.indexOf("<body");
        return i < 0 ? dom.substring(0, Math.min(400, dom.length())) : dom.substring(i, dom.indexOf('>', i) + 1);
    }

    private static String errorText(String dom) {
        int i = dom.indexOf("id=\"errors\"");
        return i < 0 ? "(none)" : dom.substring(i, Math.min(dom.length(), i + 600));
    }
}
