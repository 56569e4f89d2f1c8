package p2pstream.common.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * A plain server-rendered page in the programs' one look (the tracker's dashboard, the peer-server's page): a title
 * bar, tiles of figures, meters, a filter, tables; every text escaped. A few lines of script reload it every few
 * seconds unless the filter has focus; {@link #headers} allow that one script (by its hash) and inline styles, and
 * nothing from elsewhere. Not thread-safe: one thread builds a page.
 */
public final class HtmlPage {
    static final int REFRESH_MILLIS = 5_000;
    private static final String SCRIPT = "setTimeout(function reload() {"
            + " var q = document.activeElement; if (q && q.name === 'q') { setTimeout(reload, " + REFRESH_MILLIS
            + "); return; } location.reload(); }, " + REFRESH_MILLIS + ");";
    private static final String STYLE = String.join("\n",
            "body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;"
                    + " background: #f4f6f8; color: #1f2933; }",
            "header { background: #1f2d3d; color: #fff; padding: 14px 28px; display: flex; align-items: baseline;"
                    + " gap: 16px; }",
            "header h1 { font-size: 20px; margin: 0; font-weight: 600; }",
            "header span { color: #aab7c4; }",
            "main { padding: 18px 28px 28px; }",
            "h2 { font-size: 15px; margin: 26px 0 10px; color: #3e4c59; text-transform: uppercase;"
                    + " letter-spacing: .04em; }",
            ".tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px;"
                    + " margin-top: 12px; }",
            ".tile { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 10px 14px; }",
            ".tile .label { color: #616e7c; font-size: 12px; }",
            ".tile .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }",
            ".tile .detail { color: #7b8794; font-size: 12px; }",
            ".meter { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 10px 14px;"
                    + " margin-top: 12px; }",
            ".meter .bar { height: 8px; background: #e4e7eb; border-radius: 4px; overflow: hidden; margin: 6px 0; }",
            ".meter .fill { height: 100%; background: #3ebd93; }",
            ".meter .fill.high { background: #f0b429; }",
            ".meter .fill.full { background: #e12d39; }",
            ".meter .fill.progress { background: #2186eb; }",
            "form { margin: 0 0 10px; display: flex; gap: 10px; align-items: center; color: #616e7c; }",
            "input[name=q] { font: inherit; padding: 5px 9px; border: 1px solid #bcccdc; border-radius: 6px;"
                    + " width: 280px; }",
            "table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #d9e2ec; }",
            "th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid #e4e7eb; }",
            "th { background: #f0f4f8; color: #52606d; font-weight: 600; font-size: 12px; }",
            "td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }",
            "td.m { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: 12px; color: #52606d; }",
            "tr:nth-child(even) td { background: #fafbfc; }",
            "td.none { color: #9aa5b1; text-align: center; }",
            "p.note { color: #7b8794; font-size: 12px; }");
    private static final String SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src '"
            + sha256Base64(SCRIPT) + "'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final StringBuilder html = new StringBuilder(8 * 1024);
    private boolean inTiles;

    /** A page titled {@code title}, with {@code subtitle} (an address, say) beside it in the title bar. */
    public HtmlPage(String title, String subtitle) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        Html.escape(html, title).append("</title>\n<style>\n").append(STYLE).append("\n</style>\n<script>")
                .append(SCRIPT).append("</script>\n</head>\n<body>\n<header><h1>");
        Html.escape(html, title).append("</h1><span>");
        Html.escape(html, subtitle).append("</span></header>\n<main>\n");
    }

    /**
     * The headers of a page: its type, not cached, and a Content-Security-Policy that runs only the page's own
     * script and sends nothing anywhere.
     */
    public static HttpHeaders headers() {
        return new HttpHeaders().add("Content-Type", "text/html; charset=utf-8").add("Cache-Control", "no-store")
                .add("Content-Security-Policy", SECURITY_POLICY).add("Referrer-Policy", "no-referrer");
    }

    public HtmlPage heading(String text) {
        endTiles();
        html.append("<h2>");
        Html.escape(html, text).append("</h2>\n");
        return this;
    }

    /** A figure in a tile: its label, its value in large type, and a detail line (empty for none). */
    public HtmlPage tile(String label, String value, String detail) {
        if (!inTiles) {
            html.append("<div class=\"tiles\">\n");
            inTiles = true;
        }
        html.append("<div class=\"tile\"><div class=\"label\">");
        Html.escape(html, label).append("</div><div class=\"value\">");
        Html.escape(html, value).append("</div><div class=\"detail\">");
        Html.escape(html, detail).append("</div></div>\n");
        return this;
    }

    /** A use of a limit: a bar filled to {@code fraction} (0..1; amber from 0.8, red from 0.95), a label, a text. */
    public HtmlPage meter(String label, double fraction, String text) {
        return bar(label, fraction, text, false);
    }

    /** Work under way: a bar filled to {@code fraction} (0..1) in one colour, a label, a text. */
    public HtmlPage progress(String label, double fraction, String text) {
        return bar(label, fraction, text, true);
    }

    private HtmlPage bar(String label, double fraction, String text, boolean progress) {
        endTiles();
        double f = Double.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
        String level = progress ? " progress" : f >= 0.95 ? " full" : f >= 0.8 ? " high" : "";
        html.append("<div class=\"meter\"><div class=\"label\">");
        Html.escape(html, label).append("</div><div class=\"bar\"><div class=\"fill").append(level)
                .append("\" style=\"width: ").append(String.format(Locale.ROOT, "%.1f", 100 * f))
                .append(f > 0 ? "%; min-width: 3px" : "%") // a little use still shows
                .append("\"></div></div><div class=\"detail\">");
        Html.escape(html, text).append("</div></div>\n");
        return this;
    }

    /** A form that reloads the page with {@code ?q=} the text typed; {@code summary} beside it. */
    public HtmlPage filter(String q, String placeholder, String summary) {
        endTiles();
        html.append("<form method=\"get\"><input name=\"q\" value=\"");
        Html.escape(html, q).append("\" placeholder=\"");
        Html.escape(html, placeholder).append("\" autocomplete=\"off\"><span>");
        Html.escape(html, summary).append("</span></form>\n");
        return this;
    }

    /** A line of small print. */
    public HtmlPage note(String text) {
        endTiles();
        html.append("<p class=\"note\">");
        Html.escape(html, text).append("</p>\n");
        return this;
    }

    /**
     * Starts a table with these column names; a name starting with '#' is a number column (right-aligned, the
     * '#' not shown), one starting with '~' is shown in monospace. Add its rows, then {@link Table#end}.
     */
    public Table table(String... columns) {
        endTiles();
        return new Table(columns);
    }

    /** {@code n} with thousands separated: {@code 2,000,000}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** The counts above 0 after their labels ({@code max entries 3, conflict 1}: "_" as " "), or {@code none}. */
    public static String nonZero(Map<String, Long> counts, String none) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((label, n) -> {
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(label.replace('_', ' ')).append(' ').append(count(n));
            }
        });
        return sb.length() == 0 ? none : sb.toString();
    }

    /**
     * What a filtered table shows: {@code 3 streams}, {@code 1 stream whose name contains "x"}, or {@code the first
     * 500 of 612 streams} when it shows fewer than match.
     */
    public static String shown(int shown, long matching, String noun, String filter) {
        String what = filter.isEmpty() ? "" : " whose name contains \"" + filter + "\"";
        if (shown < matching) {
            return "the first " + count(shown) + " of " + count(matching) + " " + noun + "s" + what;
        }
        return count(matching) + " " + noun + (matching == 1 ? "" : "s") + what;
    }

    /** The whole page. */
    public String html() {
        endTiles();
        return html + "</main>\n</body>\n</html>\n";
    }

    private void endTiles() {
        if (inTiles) {
            html.append("</div>\n");
            inTiles = false;
        }
    }

    /** A table being written into its page: rows of text cells, escaped. The page's thread. */
    public final class Table {
        private final String[] classes;
        private int rows;

        private Table(String[] columns) {
            classes = new String[columns.length];
            html.append("<table>\n<thead><tr>");
            for (int i = 0; i < columns.length; i++) {
                String c = columns[i];
                boolean styled = c.startsWith("#") || c.startsWith("~");
                classes[i] = c.startsWith("#") ? " class=\"n\"" : c.startsWith("~") ? " class=\"m\"" : "";
                html.append("<th").append(c.startsWith("#") ? classes[i] : "").append('>');
                Html.escape(html, styled ? c.substring(1) : c).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
        }

        /** One row: a cell for each column. */
        public Table row(String... cells) {
            if (cells.length != classes.length) {
                throw new IllegalArgumentException("table row: " + cells.length + " cells (expected: "
                        + classes.length + ")");
            }
            html.append("<tr>");
            for (int i = 0; i < cells.length; i++) {
                html.append("<td").append(classes[i]).append('>');
                Html.escape(html, cells[i]).append("</td>");
            }
            html.append("</tr>\n");
            rows++;
            return this;
        }

        /** Ends the table; with no row, one saying {@code empty}. */
        public HtmlPage end(String empty) {
            if (rows == 0) {
                html.append("<tr><td class=\"none\" colspan=\"").append(classes.length).append("\">");
                Html.escape(html, empty).append("</td></tr>\n");
            }
            html.append("</tbody>\n</table>\n");
            return HtmlPage.this;
        }
    }

    private static String sha256Base64(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256: " + e.getMessage() + " (expected: in every JDK)", e);
        }
    }
}
