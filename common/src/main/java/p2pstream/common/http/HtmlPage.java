package p2pstream.common.http;

import java.util.Locale;
import java.util.Map;

/**
 * A plain server-rendered page in the programs' one look (the tracker's dashboard, the peer-server's page): a title
 * bar, tiles of figures, meters, a filter, tables with links, a video player, a QR code; every text escaped. One
 * {@link PageScript} runs on it (by default a few lines reloading it every few seconds unless the filter has focus);
 * {@link #headers} allow that one script (by its hash) and inline styles, and nothing from elsewhere but what the
 * script names. Not thread-safe: one thread builds a page.
 */
public final class HtmlPage {
    private final StringBuilder html = new StringBuilder(8 * 1024);
    private boolean inTiles;

    /** A page titled {@code title}, with {@code subtitle} (an address, say) beside it, reloading itself. */
    public HtmlPage(String title, String subtitle) {
        this(title, subtitle, PageScript.RELOAD);
    }

    /** The same, running {@code script} instead (serve it with {@link #headers(PageScript)} of the same). */
    public HtmlPage(String title, String subtitle, PageScript script) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        Html.escape(html, title).append("</title>\n<style>\n").append(PageStyle.CSS).append("\n</style>\n<script>")
                .append(script.source()).append("</script>\n</head>\n<body>\n<header><h1>");
        Html.escape(html, title).append("</h1><span>");
        Html.escape(html, subtitle).append("</span></header>\n<main>\n");
    }

    /**
     * The headers of a page that reloads itself: its type, not cached, and a Content-Security-Policy that runs only
     * the page's own script and sends nothing anywhere.
     */
    public static HttpHeaders headers() {
        return headers(PageScript.RELOAD);
    }

    /** The headers of a page running {@code script}: its policy allows that script and what it names. */
    public static HttpHeaders headers(PageScript script) {
        return new HttpHeaders().add("Content-Type", "text/html; charset=utf-8").add("Cache-Control", "no-store")
                .add("Content-Security-Policy", script.policy()).add("Referrer-Policy", "no-referrer");
    }

    public HtmlPage heading(String text) {
        endTiles();
        html.append("<h2>");
        Html.escape(html, text).append("</h2>\n");
        return this;
    }

    /** A figure in a tile: its label, its value in large type, and a detail line (empty for none). */
    public HtmlPage tile(String label, String value, String detail) {
        return tile(null, label, value, detail);
    }

    /**
     * The same, its value element given the id {@code id} and its detail {@code id-detail} (null: none), so a
     * script can update them.
     */
    public HtmlPage tile(String id, String label, String value, String detail) {
        if (!inTiles) {
            html.append("<div class=\"tiles\">\n");
            inTiles = true;
        }
        html.append("<div class=\"tile\"><div class=\"label\">");
        Html.escape(html, label).append("</div><div class=\"value\"").append(id(id, "")).append('>');
        Html.escape(html, value).append("</div><div class=\"detail\"").append(id(id, "-detail")).append('>');
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
        double f = clip(fraction);
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

    /**
     * A log-in form: a name and a password POSTed to {@code action} (a path here), {@code note} beside it. The
     * password field is never filled in.
     */
    public HtmlPage logInForm(String action, String note) {
        endTiles();
        html.append("<form method=\"post\" action=\"").append(Html.localPath(action)).append("\">")
                .append("<input name=\"name\" placeholder=\"account\" autocomplete=\"username\" required>")
                .append("<input name=\"password\" type=\"password\" placeholder=\"password\"")
                .append(" autocomplete=\"current-password\" required><button>log in</button><span>");
        Html.escape(html, note).append("</span></form>\n");
        return this;
    }

    /** A button that POSTs an empty form to {@code action} (a path here), {@code text} before it. */
    public HtmlPage postButton(String action, String text, String button) {
        endTiles();
        html.append("<form method=\"post\" action=\"").append(Html.localPath(action)).append("\"><span>");
        Html.escape(html, text).append("</span><button>");
        Html.escape(html, button).append("</button></form>\n");
        return this;
    }

    /** A line of small print. */
    public HtmlPage note(String text) {
        endTiles();
        html.append("<p class=\"note\">");
        Html.escape(html, text).append("</p>\n");
        return this;
    }

    /** A line of small print whose element has the id {@code id}, so a script can update it. */
    public HtmlPage note(String id, String text) {
        endTiles();
        html.append("<p class=\"note\"").append(id(id, "")).append('>');
        Html.escape(html, text).append("</p>\n");
        return this;
    }

    /** A line with a link to {@code path} on the same server (starting with '/', its segments encoded). */
    public HtmlPage link(String path, String text) {
        endTiles();
        html.append("<p>").append(anchor(path));
        Html.escape(html, text).append("</a></p>\n");
        return this;
    }

    /**
     * Starts two columns side by side (one under the other on a narrow screen): what follows goes into the wide
     * one until {@link #nextColumn}, then into the narrow one until {@link #endColumns}.
     */
    public HtmlPage beginColumns() {
        endTiles();
        html.append("<div class=\"columns\">\n<div>\n");
        return this;
    }

    public HtmlPage nextColumn() {
        endTiles();
        html.append("</div>\n<div>\n");
        return this;
    }

    public HtmlPage endColumns() {
        endTiles();
        html.append("</div>\n</div>\n");
        return this;
    }

    /**
     * A video player of id {@code id} playing {@code src} (a path on the same server), with controls; {@code data}
     * holds attribute names and values ({@code data-} prefixed) for the page's script. It starts when the script
     * plays it.
     */
    public HtmlPage video(String id, String src, String... data) {
        endTiles();
        html.append("<video").append(id(id, "")).append(" controls playsinline preload=\"auto\" src=\"")
                .append(Html.localPath(src)).append('"');
        for (int i = 0; i + 1 < data.length; i += 2) {
            html.append(" data-").append(Html.attributeName(data[i])).append("=\"");
            Html.escape(html, data[i + 1]).append('"');
        }
        html.append("></video>\n");
        return this;
    }

    /**
     * Which parts of a whole are there: a bar of id {@code id} with a fill for each range ({@code from, to} pairs
     * as fractions 0..1 of the whole), a label and a text.
     */
    public HtmlPage ranges(String id, String label, double[] fractions, String text) {
        endTiles();
        html.append("<div class=\"meter\"><div class=\"label\">");
        Html.escape(html, label).append("</div><div class=\"bar ranges\"").append(id(id, "")).append('>');
        for (int i = 0; i + 1 < fractions.length; i += 2) {
            double from = clip(fractions[i]);
            double width = clip(fractions[i + 1]) - from;
            html.append("<div class=\"fill\" style=\"left: ").append(String.format(Locale.ROOT, "%.2f", 100 * from))
                    .append("%; width: ").append(String.format(Locale.ROOT, "%.2f", 100 * width))
                    .append("%; min-width: 2px\"></div>");
        }
        html.append("</div><div class=\"detail\"").append(id(id, "-detail")).append('>');
        Html.escape(html, text).append("</div></div>\n");
        return this;
    }

    /**
     * A QR code drawn inline as SVG from its modules ({@code dark[y][x]}, a square), with a quiet zone of four
     * modules, a label above and {@code caption} below.
     */
    public HtmlPage qrCode(String label, boolean[][] dark, String caption) {
        endTiles();
        int size = dark.length;
        int side = size + 8;
        html.append("<div class=\"qr\"><div class=\"label\">");
        Html.escape(html, label).append("</div><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(side).append(' ').append(side).append("\" shape-rendering=\"crispEdges\" role=\"img\">")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
        for (int y = 0; y < size; y++) {
            if (dark[y].length != size) {
                throw new IllegalArgumentException("qr row " + y + ": " + dark[y].length + " modules (expected: "
                        + size + ")");
            }
            for (int x = 0; x < size; x++) {
                if (dark[y][x]) {
                    html.append('M').append(x + 4).append(',').append(y + 4).append("h1v1h-1z");
                }
            }
        }
        html.append("\"/></svg><div class=\"detail\">");
        Html.escape(html, caption).append("</div></div>\n");
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

    private static String id(String id, String suffix) {
        return id == null ? "" : " id=\"" + Html.attributeName(id) + suffix + "\"";
    }

    private static String anchor(String path) {
        return "<a href=\"" + Html.localPath(path) + "\">";
    }

    private static double clip(double fraction) {
        return Double.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
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

        /** One row whose first cell links to {@code path} on the same server (starting with '/', encoded). */
        public Table linkRow(String path, String... cells) {
            int before = html.length();
            row(cells);
            int cell = html.indexOf(">", before + "<tr><td".length()) + 1;
            html.insert(html.indexOf("</td>", cell), "</a>").insert(cell, anchor(path));
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
}
