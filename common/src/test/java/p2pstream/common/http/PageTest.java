package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the pages are made of: escaped text, the one script the policy allows, JSON, query parameters. */
class PageTest {

    @Test
    void everyTextOnAPageIsEscaped() {
        String hostile = "<script>alert('x')</script>&\"";
        HtmlPage page = new HtmlPage(hostile, hostile).tile(hostile, hostile, hostile).meter(hostile, 0.5, hostile)
                .filter(hostile, hostile, hostile).note(hostile);
        page.table("~" + hostile, "#n").row(hostile, "1").end(hostile);
        String html = page.html();
        assertFalse(html.contains("<script>alert"), html);
        assertFalse(html.contains("alert('x')"), "quotes escaped too");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"), html);
    }

    @Test
    void thePolicyAllowsExactlyThePagesOwnScript() throws Exception {
        String html = new HtmlPage("t", "s").html();
        Matcher script = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertTrue(script.find(), html);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.group(1).getBytes(StandardCharsets.UTF_8));
        String policy = HtmlPage.headers().get("Content-Security-Policy");
        assertTrue(policy.contains("script-src 'sha256-" + Base64.getEncoder().encodeToString(digest) + "'"), policy);
        assertTrue(policy.startsWith("default-src 'none'"), policy);
        assertEquals("no-store", HtmlPage.headers().get("Cache-Control"));
        assertFalse(script.find(), "one script only");
    }

    @Test
    void aTableWithoutRowsSaysSoAndNumberColumnsAreRightAligned() {
        HtmlPage page = new HtmlPage("t", "s");
        page.table("name", "#size").end("no streams");
        String html = page.html();
        assertTrue(html.contains("<th>name</th><th class=\"n\">size</th>"), html);
        assertTrue(html.contains("<td class=\"none\" colspan=\"2\">no streams</td>"), html);
    }

    @Test
    void jsonIsWrittenWithCommasAndEscapes() {
        String json = new JsonWriter().beginObject().field("name", "a\"b\\c\n\u0001\u2028").field("n", 42)
                .field("x", 0.5).field("nan", Double.NaN).field("ok", true).name("none").value((String) null)
                .name("list").beginArray().value(1).beginObject().endObject().beginArray().endArray().endArray()
                .endObject().text();
        assertEquals("{\"name\":\"a\\\"b\\\\c\\n\\u0001\\u2028\",\"n\":42,\"x\":0.5,\"nan\":null,\"ok\":true,"
                + "\"none\":null,\"list\":[1,{},[]]}", json);
    }

    @Test
    void queryParametersAreDecodedLikeAFormAndForgiveBadEscapes() {
        HttpRequest r = new HttpRequest("GET", "/?x", "/", "a=1&q=movie+%C3%A9t%C3%A9%2Fx&q=second&flag&bad=%zz%4",
                HttpRequest.HTTP_1_1, new HttpHeaders());
        assertEquals("movie été/x", r.queryParameter("q"), "the first q");
        assertEquals("1", r.queryParameter("a"));
        assertEquals("", r.queryParameter("flag"));
        assertEquals("%zz%4", r.queryParameter("bad"));
        assertEquals(null, r.queryParameter("missing"));
        assertEquals(null, new HttpRequest("GET", "/", "/", null, HttpRequest.HTTP_1_1, new HttpHeaders())
                .queryParameter("q"));
    }

    @Test
    void linksPlayersBarsAndQrCodesEscapeTheirTextAndStayOnThisServer() {
        String hostile = "<script>alert('x')</script>&\"";
        HtmlPage page = new HtmlPage("t", "s").link("/watch/a%20b?x=\"y\"", hostile)
                .video("player", "/stream/" + hostile, "api", hostile).ranges("buffered", hostile,
                        new double[] {0, 0.25, 0.5, 2}, hostile)
                .qrCode(hostile, new boolean[][] {{true, false}, {false, true}}, hostile)
                .tile("rate", hostile, hostile, hostile).note("playback", hostile);
        page.table("name").linkRow("/watch/" + hostile, hostile).end("");
        String html = page.html();
        assertFalse(html.contains("<script>alert"), html);
        assertTrue(html.contains("<a href=\"/watch/a%20b?x=&quot;y&quot;\">&lt;script&gt;"), html);
        assertTrue(html.contains("<td><a href=\"/watch/&lt;script&gt;"), "the link inside the first cell: " + html);
        assertTrue(html.contains(" data-api=\"&lt;script&gt;"), html);
        assertTrue(html.contains("left: 50.00%; width: 50.00%"), "a range is clipped to the whole: " + html);
        assertTrue(html.contains("M4,4h1v1h-1zM5,5h1v1h-1z"), "dark modules, in from a quiet zone of 4: " + html);
        assertTrue(html.contains("<div class=\"value\" id=\"rate\">") && html.contains("id=\"rate-detail\""));
        for (String elsewhere : new String[] {"//evil.example/x", "javascript:alert(1)", "https://evil.example/"}) {
            assertThrows(IllegalArgumentException.class, () -> new HtmlPage("t", "s").link(elsewhere, "x"),
                    elsewhere);
        }
        assertThrows(IllegalArgumentException.class, () -> new HtmlPage("t", "s").note("a\" onclick=\"x", "x"));
    }

    @Test
    void aPageRunsTheScriptItWasGivenAndItsPolicyNamesWhatElseItMayLoad() {
        PageScript script = new PageScript("document.title = 'x';", "media-src 'self'; ");
        String html = new HtmlPage("t", "s", script).html();
        assertTrue(html.contains("<script>document.title = 'x';</script>"), html);
        assertFalse(html.contains("location.reload"), "not the reloading script");
        String policy = HtmlPage.headers(script).get("Content-Security-Policy");
        assertTrue(policy.startsWith("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-")
                && policy.contains("'; media-src 'self'; base-uri 'none'"), policy);
        assertThrows(IllegalArgumentException.class, () -> new PageScript("x = '</script>';", ""));
    }
}
