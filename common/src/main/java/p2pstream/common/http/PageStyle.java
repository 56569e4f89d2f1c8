package p2pstream.common.http;

/** The one look of the programs' pages (one style sheet, inline in each page). Constants; any thread. */
final class PageStyle {
    static final String CSS = String.join("\n",
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
            "form input[name=name], form input[name=password] { font: inherit; padding: 5px 9px;"
                    + " border: 1px solid #bcccdc; border-radius: 6px; width: 180px; }",
            "form button { font: inherit; padding: 5px 14px; border: 1px solid #2186eb; border-radius: 6px;"
                    + " background: #2186eb; color: #fff; cursor: pointer; }",
            "table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #d9e2ec; }",
            "th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid #e4e7eb; }",
            "th { background: #f0f4f8; color: #52606d; font-weight: 600; font-size: 12px; }",
            "td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }",
            "td.m { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: 12px; color: #52606d; }",
            "tr:nth-child(even) td { background: #fafbfc; }",
            "td.none { color: #9aa5b1; text-align: center; }",
            "p.note { color: #7b8794; font-size: 12px; }",
            "a { color: #1f6feb; text-decoration: none; }",
            "a:hover { text-decoration: underline; }",
            ".columns { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 20px; align-items: start;"
                    + " margin-top: 12px; }",
            "@media (max-width: 860px) { .columns { grid-template-columns: minmax(0, 1fr); } }",
            ".columns .tiles { grid-template-columns: 1fr 1fr; margin-top: 0; }",
            ".columns .tile .value { font-size: 19px; white-space: nowrap; }",
            "video { display: block; width: 100%; max-height: 72vh; background: #000; border-radius: 8px; }",
            ".bar.ranges { position: relative; }",
            ".bar.ranges .fill { position: absolute; top: 0; }",
            ".qr { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 10px 14px;"
                    + " margin-top: 12px; }",
            ".qr svg { display: block; width: 168px; height: 168px; margin: 6px auto; }",
            ".qr .detail { color: #7b8794; font-size: 12px; overflow-wrap: anywhere; }");

    private PageStyle() {
    }
}
