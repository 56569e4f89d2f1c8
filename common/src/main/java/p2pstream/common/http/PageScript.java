package p2pstream.common.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The one script an {@link HtmlPage} runs and the Content-Security-Policy that allows it: the script by its SHA-256
 * hash and nothing else, inline styles, and whatever more the page names (media and requests to its own server,
 * for a player page). A script is a constant, so the hash is taken once. Immutable; any thread.
 */
public final class PageScript {
    static final int REFRESH_MILLIS = 5_000;
    /**
     * Reloads the page every few seconds unless a text field (the filter, a log-in form's) has focus: the dashboards'
     * figures stay fresh and nobody's typing is wiped.
     */
    public static final PageScript RELOAD = new PageScript("setTimeout(function reload() {"
            + " var q = document.activeElement; if (q && q.tagName === 'INPUT') { setTimeout(reload, " + REFRESH_MILLIS
            + "); return; } location.reload(); }, " + REFRESH_MILLIS + ");", "");

    private final String source;
    private final String policy;

    /**
     * {@code source} run by the page; {@code directives} what else it may load, each ending in "; " (e.g.
     * {@code "media-src 'self'; connect-src 'self'; "}), or "" for nothing.
     */
    public PageScript(String source, String directives) {
        if (source.contains("</")) {
            throw new IllegalArgumentException("script: contains </ (expected: none, it would end the element)");
        }
        this.source = source;
        this.policy = "default-src 'none'; style-src 'unsafe-inline'; script-src '" + sha256Base64(source) + "'; "
                + directives + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    String source() {
        return source;
    }

    /** The Content-Security-Policy of a page running this script. */
    public String policy() {
        return policy;
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
