package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A POST of a small form to a router's form route (the tracker's log-in): the body is read whole, even when it comes
 * in pieces, and its fields decoded; POST elsewhere is 405; a body over 8 KiB is 413, one without a length 411; a
 * server with no form route refuses POST as before (HttpRefusalTest).
 */
class HttpFormTest extends HttpFixture {
    private void startForms() throws Exception {
        start(new Router().exact("/", ex -> ex.respond(200, ResponseWriter.TEXT, "page\n"))
                .form("/login", ex -> ex.respond(200, ResponseWriter.TEXT, "name=" + ex.request().formParameter("name")
                        + " password=" + ex.request().formParameter("password") + "\n")));
    }

    private static String post(String target, String body, String... lines) {
        String[] all = new String[lines.length + 1];
        System.arraycopy(lines, 0, all, 0, lines.length);
        all[lines.length] = "Content-Length: " + body.length();
        return RawHttpClient.request("POST", target, all) + body;
    }

    @Test
    void aFormIsReadWholeAndDecodedAndTheConnectionServesTheNextRequest() throws Exception {
        startForms();
        try (RawHttpClient c = connect()) {
            String request = post("/login", "name=alice&password=p%C3%A4ss+word%26");
            int half = request.length() - 10;
            c.send(request.substring(0, half));
            c.send(request.substring(half));
            RawHttpClient.Response r = c.read(false);
            assertEquals(200, r.status());
            assertEquals("name=alice password=p\u00e4ss word&\n", r.text());
            c.send(RawHttpClient.request("GET", "/"));
            assertEquals("page\n", c.read(false).text(), "kept alive after the body");
        }
    }

    @Test
    void postElsewhereOversizedAndLengthlessFormsAreRefused() throws Exception {
        startForms();
        Object[][] cases = {
            {post("/", "a=b"), 405},
            {post("/login", "x".repeat(RequestParser.MAX_BODY_BYTES + 1)), 413},
            {RawHttpClient.request("POST", "/login") + "a=b", 411},
            {RawHttpClient.request("POST", "/login", "Transfer-Encoding: chunked") + "0\r\n\r\n", 400},
        };
        for (Object[] c : cases) {
            try (RawHttpClient client = connect()) {
                RawHttpClient.Response r = client.send((String) c[0]).read(false);
                assertEquals(c[1], r.status(), () -> ((String) c[0]).substring(0, 40));
            }
        }
    }
}
