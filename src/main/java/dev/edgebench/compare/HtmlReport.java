package dev.edgebench.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The HTML printer: one self-contained page (every script and style inline, nothing fetched)
 * with the verdict, tables, and charts drawn by Chart.js with the error-bar and annotation
 * plugins: baseline vs current means with 95% CI per metric, the change per benchmark with its
 * bootstrap CI and the threshold band, and the latency percentile curves from the hlogs. The chart
 * libraries are the pinned npm packages of {@code scripts/report-libs.lock}, packaged into the jar
 * by the build; their versions and licenses are named in the page's footer.
 */
public final class HtmlReport {
    private static final String VENDOR = "/dev/edgebench/compare/vendor/";
    private static final String[] LIBS = {"chart.js", "chartjs-chart-error-bars", "chartjs-plugin-annotation"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private HtmlReport() {
    }

    /**
     * @throws IllegalStateException when the chart libraries are not in this build (built without
     *                               scripts/fetch-report-libs.sh)
     */
    public static String render(Comparison c) {
        String data;
        try {
            data = JSON.writeValueAsString(JsonReport.document(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Names names = new Names(c);
        StringBuilder sb = new StringBuilder(400_000);
        long reg = c.regressions();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>edgebench compare: ")
                .append(esc(c.headline())).append("</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body data-charts=\"0\" data-rendered=\"0\" data-errors=\"0\">\n");
        sb.append("<header class=\"").append(reg > 0 ? "bad" : "good").append("\"><h1>edgebench compare: ").append(esc(c.headline()))
                .append("</h1>\n<p>Baseline <code>").append(esc(c.baseline().label())).append("</code> → current <code>")
                .append(esc(c.current().label())).append("</code> · suite <code>").append(esc(c.suite().name())).append("</code> · threshold ")
                .append(Format.pctExact(c.suite().threshold())).append(" (latency ").append(Format.pctExact(c.suite().latencyThreshold()))
                .append(") · ratio of ").append(c.suite().statistic().name().toLowerCase(Locale.ROOT))
                .append("s with 95% CI by ").append(c.paired() ? "paired (round by round) " : "hierarchical ")
                .append("percentile bootstrap, ").append(String.format(Locale.ROOT, "%,d", c.resamples()))
                .append(" resamples").append(esc(MarkdownReport.runNoiseNote(c))).append(" · exit code ").append(c.exitCode())
                .append("</p></header>\n");
        sb.append("<p id=\"errors\" class=\"errors\" hidden></p>\n");
        if (!c.environment().isEmpty()) {
            sb.append("<section class=\"warn\"><h2>The environments differ</h2><ul>");
            c.environment().forEach(d -> sb.append("<li><b>").append(esc(d.category())).append("</b>: ").append(esc(d.toString())).append("</li>"));
            sb.append("</ul></section>\n");
        }
        sb.append("<section><h2>Results</h2>\n<table><thead><tr><th>Benchmark</th><th>Metric</th><th>Baseline</th><th>Current</th>")
                .append("<th>Change (95% CI)</th><th>Threshold</th><th>Verdict</th></tr></thead><tbody>\n");
        for (Comparison.MetricResult m : c.metrics()) {
            sb.append("<tr class=\"").append(m.verdict().word()).append("\"><td title=\"").append(esc(m.id())).append("\">")
                    .append(esc(names.of(m.id()))).append("</td><td>").append(esc(m.metric())).append(" (").append(esc(m.unit())).append(")</td><td>")
                    .append(esc(Format.meanCi(m.base()))).append("</td><td>").append(esc(Format.meanCi(m.cur()))).append("</td><td>")
                    .append(esc(Format.changeCi(m.ratio()))).append("</td><td>±").append(Format.pctExact(m.threshold())).append("</td><td>")
                    .append(esc(MarkdownReport.verdictText(m))).append("</td></tr>\n");
        }
        sb.append("</tbody></table>\n");
        if (!c.latencies().isEmpty()) {
            sb.append("<h3>Latency percentiles</h3><table><thead><tr><th>Benchmark</th><th>Latency</th><th>Baseline ms</th>")
                    .append("<th>Current ms</th><th>Change (95% CI)</th><th>Threshold</th><th>Verdict</th></tr></thead><tbody>\n");
            for (Comparison.LatencyResult l : c.latencies()) {
                sb.append("<tr class=\"").append(l.verdict().word()).append("\"><td title=\"").append(esc(l.id())).append("\">")
                        .append(esc(names.of(l.id()))).append("</td><td>").append(esc(l.tag())).append(' ').append(Format.percentile(l.percentile()))
                        .append("</td><td>").append(Format.num(l.baseUs() / 1000)).append("</td><td>").append(Format.num(l.curUs() / 1000))
                        .append("</td><td>").append(esc(Format.changeCi(l.ratio()))).append("</td><td>±").append(Format.pctExact(l.threshold()))
                        .append("</td><td>").append(l.reason() != null ? "too noisy" : l.verdict().latencyWord())
                        .append(l.gating() ? "" : " (not gating)").append("</td></tr>\n");
            }
            sb.append("</tbody></table>\n");
        }
        sb.append("</section>\n<section><h2>Charts</h2><div id=\"charts\" class=\"charts\"></div></section>\n");
        if (!c.onlyBaseline().isEmpty() || !c.onlyCurrent().isEmpty() || !c.notes().isEmpty()) {
            sb.append("<section><h2>Unmatched and notes</h2><ul>");
            c.onlyBaseline().forEach(id -> sb.append("<li>only in the baseline: <code>").append(esc(id)).append("</code></li>"));
            c.onlyCurrent().forEach(id -> sb.append("<li>only in the current run: <code>").append(esc(id)).append("</code></li>"));
            c.notes().forEach(n -> sb.append("<li>").append(esc(n)).append("</li>"));
            sb.append("</ul></section>\n");
        }
        sb.append("<footer>").append(esc(c.paired() ? METHOD.replace(TWO_STAGE, PAIRED) : METHOD)).append("<br>Charts: ")
                .append(esc(vendorLine())).append("</footer>\n");
        sb.append("<script type=\"application/json\" id=\"edgebench-data\">").append(data.replace("<", "\\u003c")).append("</script>\n");
        sb.append(chartScripts());
        sb.append("<script>\n").append(scriptSafe(resource("/dev/edgebench/compare/report.js"))).append("\n</script>\n</body></html>\n");
        return sb.toString();
    }

    private static final String TWO_STAGE = "a two-stage bootstrap (forks with replacement, then samples within each drawn fork)";
    private static final String PAIRED = "a paired bootstrap of the interleaved rounds (rounds with replacement, then samples within each"
            + " round's two forks; the change is the geometric mean of the per-round ratios)";
    private static final String METHOD = "Baseline and current: mean ± 95% CI half-width (Student t) over the samples. Change: current ÷"
            + " baseline − 1; its 95% CI is the percentile interval of " + TWO_STAGE + ". slower/faster only when the whole CI lies"
            + " beyond the threshold; inconclusive when it crosses it;"
            + " too noisy (no verdict) when a side's robust CV (1.4826·MAD/median) exceeds the suite's maxCv."
            + " Latency percentiles: HdrHistogram, pooled over iterations; CI by resampling iterations.";

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 32px;color:#222}
            header{padding:12px 16px;margin:16px 0;border-radius:6px}
            header.good{background:#e8f5e9;border-left:6px solid #2ca02c} header.bad{background:#fdecea;border-left:6px solid #d62728}
            h1{font-size:22px;margin:4px 0} h2{font-size:18px;margin:24px 0 8px} h3{font-size:15px;margin:12px 0 4px}
            table{border-collapse:collapse;width:100%;margin:8px 0} th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}
            th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left} td:last-child{font-weight:600}
            tr.slower td:last-child,tr.failed td:last-child{color:#d62728} tr.faster td:last-child{color:#2ca02c}
            tr.inconclusive td:last-child{color:#b07f00} tr.unchanged td:last-child{color:#777}
            .warn{background:#fff8e1;border-left:6px solid #e6a700;padding:4px 16px;border-radius:6px}
            .errors{background:#fdecea;color:#b71c1c;padding:8px}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
            .chart{border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px}
            .canvas-wrap{position:relative;width:100%} .note{color:#666;font-size:12px;margin:0 0 6px}
            footer{color:#666;font-size:12px;margin-top:24px;border-top:1px solid #ddd;padding-top:8px}
            code{background:#f3f3f3;padding:0 3px;border-radius:3px}
            """;

    /**
     * @return the pinned chart libraries (Chart.js, its error-bar and annotation plugins) as inline
     *         script elements, for every page drawn with them (this report, the history's trend page)
     * @throws IllegalStateException when they are not in this build
     */
    public static String chartScripts() {
        StringBuilder sb = new StringBuilder(300_000);
        for (String lib : LIBS) {
            sb.append("<script>/* ").append(lib).append(" (npm, MIT license) */\n").append(scriptSafe(resource(VENDOR + lib + ".js")))
                    .append("\n</script>\n");
        }
        return sb.toString();
    }

    /** @return "chart.js 4.5.1 (MIT), ..." from the vendored libraries' manifest */
    public static String vendorLine() {
        try {
            JsonNode libs = JSON.readTree(resource(VENDOR + "vendor.json"));
            StringBuilder sb = new StringBuilder();
            for (JsonNode l : libs) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(l.path("name").asText()).append(' ').append(l.path("version").asText()).append(" (")
                        .append(l.path("license").asText()).append(" license, npm tarball sha256 ")
                        .append(l.path("tarballSha256").asText(), 0, 12).append("…)");
            }
            return sb.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String resource(String path) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the HTML report's resource " + path + " is not in this build: build with Maven, whose"
                        + " generate-resources step runs scripts/fetch-report-libs.sh (needs npm once)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Keeps an inline script from closing its element early. */
    public static String scriptSafe(String s) {
        return s.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT").replace("<!--", "<\\!--");
    }

    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
