package dev.edgebench.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.compare.HtmlReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The history's trend page: one self-contained HTML page (nothing fetched) with a chart per
 * series: the per-run mean over runs in history order, labelled by commit, its 95% CI as a band,
 * the change points as vertical lines labelled with the shift and its CI, and the mean of each
 * segment between them. Drawn with the same pinned Chart.js build as compare's report
 * ({@link HtmlReport#chartScripts()}). Series with a change come first. Stateless.
 */
public final class TrendReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrendReport() {
    }

    /** @return the page */
    public static String render(ChangeDetection.Report report, String title) {
        List<Series> series = new ArrayList<>(report.series());
        series.sort((a, b) -> Boolean.compare(changed(report, b), changed(report, a)));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Series s : series) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.key().benchmark());
            m.put("metric", s.key().metric());
            m.put("device", s.key().device());
            m.put("configuration", s.key().configuration());
            m.put("unit", s.unit());
            m.put("higherIsBetter", s.higherIsBetter());
            m.put("gaps", s.gaps().size());
            m.put("skipped", report.skipped().stream().filter(k -> k.series() == s).map(ChangeDetection.Skipped::reason).findFirst()
                    .orElse(null));
            List<Map<String, Object>> pts = new ArrayList<>();
            for (Series.Point p : s.points()) {
                Map<String, Object> q = new LinkedHashMap<>();
                q.put("runId", p.run().runId());
                q.put("label", p.run().label());
                q.put("mean", p.mean());
                q.put("lo", Double.isNaN(p.ciLow()) ? null : p.ciLow());
                q.put("hi", Double.isNaN(p.ciHigh()) ? null : p.ciHigh());
                q.put("n", p.values().length);
                pts.add(q);
            }
            m.put("points", pts);
            List<Map<String, Object>> changes = new ArrayList<>();
            for (ChangeDetection.ChangePoint c : report.changes()) {
                if (c.series() != s) {
                    continue;
                }
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("index", c.index());
                x.put("runId", c.run().runId());
                x.put("changePct", (c.ratio().estimate() - 1) * 100);
                x.put("lowPct", c.ratio().hasCi() ? (c.ratio().low() - 1) * 100 : null);
                x.put("highPct", c.ratio().hasCi() ? (c.ratio().high() - 1) * 100 : null);
                x.put("pValue", c.pValue());
                x.put("direction", c.direction());
                changes.add(x);
            }
            m.put("changes", changes);
            out.add(m);
        }
        String data;
        try {
            data = JSON.writeValueAsString(Map.of("series", out));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder sb = new StringBuilder(400_000);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(HtmlReport.esc(title))
                .append("</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body data-charts=\"0\" data-rendered=\"0\" data-errors=\"0\">\n<header><h1>")
                .append(HtmlReport.esc(title)).append("</h1>\n<p>").append(HtmlReport.esc(HistoryText.changes(report).lines().findFirst()
                        .orElse(""))).append("</p></header>\n<p id=\"errors\" class=\"errors\" hidden></p>\n");
        if (!report.changes().isEmpty()) {
            sb.append("<section><h2>Change points</h2><table><thead><tr><th>At run</th><th>Commit</th><th>Series</th><th>Change (95% CI)</th>")
                    .append("<th>p</th><th>Moved with it</th></tr></thead><tbody>\n");
            for (ChangeDetection.ChangePoint c : report.changes()) {
                sb.append("<tr class=\"").append(c.direction()).append("\"><td>").append(HtmlReport.esc(c.run().runId())).append(" (#")
                        .append(c.index() + 1).append(")</td><td>").append(HtmlReport.esc(c.run().label())).append("</td><td>")
                        .append(HtmlReport.esc(c.series().key().benchmark() + " · " + c.series().key().metric())).append("</td><td>")
                        .append(HtmlReport.esc(HistoryText.shift(c).replace("**", ""))).append("</td><td>")
                        .append(String.format(java.util.Locale.ROOT, "%.4f", c.pValue())).append("</td><td>")
                        .append(HtmlReport.esc(c.alsoMoved().isEmpty() ? "—" : String.join("; ", c.alsoMoved().stream()
                                .map(k -> k.benchmark() + " · " + k.metric()).toList()))).append("</td></tr>\n");
            }
            sb.append("</tbody></table></section>\n");
        }
        sb.append("<section><h2>Series</h2><div id=\"charts\" class=\"charts\"></div></section>\n<footer>")
                .append(HtmlReport.esc(HistoryText.method(report))).append(" Band: 95% CI of each run's mean (Student t); dashed: the")
                .append(" mean of each segment between change points.<br>Charts: ").append(HtmlReport.esc(HtmlReport.vendorLine()))
                .append("</footer>\n<script type=\"application/json\" id=\"edgebench-history\">").append(data.replace("<", "\\u003c"))
                .append("</script>\n").append(HtmlReport.chartScripts()).append("<script>\n")
                .append(HtmlReport.scriptSafe(HtmlReport.resource("/dev/edgebench/history/trend.js"))).append("\n</script>\n</body></html>\n");
        return sb.toString();
    }

    private static boolean changed(ChangeDetection.Report r, Series s) {
        return r.changes().stream().anyMatch(c -> c.series() == s);
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 32px;color:#222}
            header{padding:12px 16px;margin:16px 0;border-radius:6px;background:#eef4fb;border-left:6px solid #1f77b4}
            h1{font-size:22px;margin:4px 0} h2{font-size:18px;margin:24px 0 8px} h3{font-size:14px;margin:4px 0;word-break:break-all}
            table{border-collapse:collapse;width:100%;margin:8px 0} th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
            tr.slower td:nth-child(4){color:#d62728;font-weight:600} tr.faster td:nth-child(4){color:#2ca02c;font-weight:600}
            .errors{background:#fdecea;color:#b71c1c;padding:8px}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
            .chart{border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px} .chart.changed{border-color:#d62728}
            .canvas-wrap{position:relative;width:100%} .note{color:#666;font-size:12px;margin:0 0 6px}
            footer{color:#666;font-size:12px;margin-top:24px;border-top:1px solid #ddd;padding-top:8px}
            """;
}
