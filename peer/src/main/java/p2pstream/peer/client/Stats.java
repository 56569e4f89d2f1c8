package p2pstream.peer.client;

import java.util.List;
import java.util.Locale;
import p2pstream.common.cli.Quantity;

/**
 * The figures of one finished (or failed) download: what the summary prints and {@code --stats-json}
 * writes. Thread-safe (immutable).
 *
 * @param bytes         bytes handed to the output
 * @param millis        from start to the end of the output
 * @param startupMillis from start to the first byte handed to the output, -1 if none was
 * @param stalls        times the output waited more than 100 ms for the next chunk after it started
 * @param hashFailures  chunks that failed verification (their senders were dropped)
 * @param sha256        SHA-256 of everything written to the output, or null when not computed
 * @param continuity    share of chunks in place before the player needed them (1.0: no stall)
 * @param bytesUploaded bytes this viewer sent to the peers it served
 * @param resumedBytes  bytes an earlier run had stored and this one verified and kept instead of fetching
 * @param live          the live figures, null for a file stream
 */
public record Stats(String name, String contentId, long size, boolean complete, long bytes, long millis,
                    long startupMillis, int stalls, long stallMillis, int hashFailures, String sha256,
                    double continuity, long bytesUploaded, long resumedBytes, List<PeerBytes> peers, Live live) {

    /**
     * A live stream's figures.
     *
     * @param latencyP50Millis publish-to-written latency of the chunks published after the viewer joined (the
     *                         backlog it starts with is not counted); -1 with none
     * @param latencySamples   chunks those latencies were measured on
     * @param chunks           chunks written
     * @param skipped          chunks that missed their moment (or found the output too far behind) and were left out
     * @param fromPublisher    chunks received from the publisher
     * @param fromViewers      chunks received from other viewers
     * @param backlog          chunks handed to the output at once on joining
     * @param ended            the publisher's signed end was received
     * @param resyncBytes      MPEG-TS bytes left out so that output starts (and restarts after a skip) on a key frame
     * @param firstChunk       the chunk the output started at (where the viewer joined); -1 before the join. For a
     *                         viewer that stayed to the end: firstChunk + chunks + skipped = the chunks published
     * @param beforeFirst      chunks received older than firstChunk (fetched while finding where to join), not written
     * @param skippedReceived  skipped chunks received all the same (too late, or while the output was too far behind).
     *                         For a viewer that stayed to the end: fromPublisher + fromViewers = chunks + beforeFirst +
     *                         skippedReceived
     */
    public record Live(long latencyP50Millis, long latencyP99Millis, long latencyMaxMillis, int latencySamples,
                       int chunks, int skipped, int fromPublisher, int fromViewers, int backlog, boolean ended,
                       long resyncBytes, int firstChunk, int beforeFirst, int skippedReceived) {

        /** These figures with what the player measured: latencies, chunks written, bytes left out to resync. */
        Live withPlayer(long p50, long p99, long max, int samples, int written, long resync) {
            return new Live(p50, p99, max, samples, written, skipped, fromPublisher, fromViewers, backlog, ended,
                    resync, firstChunk, beforeFirst, skippedReceived);
        }
    }

    /**
     * One peer, by the address it serves on: verified bytes received from it, bytes sent to it, how it was reached
     * (direct, reversed, punched, relayed; null for a peer that only fetched from us).
     */
    public record PeerBytes(String address, long bytes, long sent, String route) {
    }

    public Stats {
        peers = List.copyOf(peers);
    }

    /** The figures of a run that found no stream to fetch. */
    public static Stats nothing(String name) {
        return new Stats(name, null, -1, false, 0, 0, -1, 0, 0, 0, null, 0, 0, 0, List.of(), null);
    }

    /** Peers that delivered at least one verified byte. */
    public long contributingPeers() {
        return peers.stream().filter(p -> p.bytes() > 0).count();
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\n");
        field(sb, "name", name).append(",\n");
        field(sb, "contentId", contentId).append(",\n");
        sb.append("  \"size\": ").append(size).append(",\n");
        sb.append("  \"complete\": ").append(complete).append(",\n");
        sb.append("  \"bytes\": ").append(bytes).append(",\n");
        sb.append("  \"millis\": ").append(millis).append(",\n");
        sb.append("  \"startupMillis\": ").append(startupMillis).append(",\n");
        sb.append("  \"stalls\": ").append(stalls).append(",\n");
        sb.append("  \"stallMillis\": ").append(stallMillis).append(",\n");
        sb.append("  \"continuity\": ").append(String.format(Locale.ROOT, "%.4f", continuity)).append(",\n");
        sb.append("  \"hashFailures\": ").append(hashFailures).append(",\n");
        field(sb, "sha256", sha256).append(",\n");
        sb.append("  \"bytesUploaded\": ").append(bytesUploaded).append(",\n");
        sb.append("  \"resumedBytes\": ").append(resumedBytes).append(",\n");
        if (live != null) {
            sb.append("  \"live\": true,\n");
            sb.append("  \"latencyMillis\": {\"p50\": ").append(live.latencyP50Millis()).append(", \"p99\": ")
                    .append(live.latencyP99Millis()).append(", \"max\": ").append(live.latencyMaxMillis())
                    .append(", \"samples\": ").append(live.latencySamples()).append("},\n");
            sb.append("  \"chunks\": ").append(live.chunks()).append(",\n");
            sb.append("  \"skipped\": ").append(live.skipped()).append(",\n");
            sb.append("  \"chunksFromPublisher\": ").append(live.fromPublisher()).append(",\n");
            sb.append("  \"chunksFromViewers\": ").append(live.fromViewers()).append(",\n");
            sb.append("  \"joinBacklogChunks\": ").append(live.backlog()).append(",\n");
            sb.append("  \"firstChunk\": ").append(live.firstChunk()).append(",\n");
            sb.append("  \"chunksBeforeFirst\": ").append(live.beforeFirst()).append(",\n");
            sb.append("  \"skippedReceived\": ").append(live.skippedReceived()).append(",\n");
            sb.append("  \"resyncBytes\": ").append(live.resyncBytes()).append(",\n");
            sb.append("  \"ended\": ").append(live.ended()).append(",\n");
        }
        sb.append("  \"peers\": [");
        for (int i = 0; i < peers.size(); i++) {
            PeerBytes p = peers.get(i);
            sb.append(i == 0 ? "\n    " : ",\n    ").append("{\"address\": ");
            Json.quote(sb, p.address()).append(", \"bytes\": ").append(p.bytes()).append(", \"sent\": ")
                    .append(p.sent());
            if (p.route() != null) {
                Json.quote(sb.append(", \"route\": "), p.route());
            }
            sb.append('}');
        }
        sb.append(peers.isEmpty() ? "]\n" : "\n  ]\n").append("}\n");
        return sb.toString();
    }

    /** The human summary printed on stderr. */
    public String summary() {
        double seconds = Math.max(millis, 1) / 1000.0;
        StringBuilder sb = new StringBuilder();
        if (live != null) {
            sb.append(String.format(Locale.ROOT,
                    "%s: live %s, %d chunks (%s) in %.2f s, start-up %d ms, latency p50 %d ms p99 %d ms"
                            + " max %d ms, %d skipped (continuity %.3f), chunks from publisher %d / viewers %d,"
                            + " %d rejected, %s uploaded%n",
                    live.ended() ? "ended" : "stopped", name, live.chunks(), bytesText(bytes), seconds, startupMillis,
                    live.latencyP50Millis(), live.latencyP99Millis(), live.latencyMaxMillis(), live.skipped(),
                    continuity, live.fromPublisher(), live.fromViewers(), hashFailures, bytesText(bytesUploaded)));
            appendPeers(sb);
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "%s: %s %s in %.2f s (%.1f MB/s), start-up %d ms, %d stalls (%d ms),"
                        + " continuity %.3f, %d hash failures, %s uploaded%n",
                complete ? "done" : "incomplete", name, bytesText(bytes), seconds, bytes / seconds / 1e6, startupMillis,
                stalls, stallMillis, continuity, hashFailures, bytesText(bytesUploaded)));
        appendPeers(sb);
        return sb.toString();
    }

    private void appendPeers(StringBuilder sb) {
        if (sha256 != null) {
            sb.append("  sha256 ").append(sha256).append('\n');
        }
        for (PeerBytes p : peers) {
            String route = p.route() == null ? "" : " " + p.route();
            sb.append(String.format(Locale.ROOT, "  peer %-22s received %-10s sent %-10s%s", p.address(),
                    bytesText(p.bytes()), bytesText(p.sent()), route).stripTrailing()).append('\n');
        }
    }

    static String bytesText(long bytes) {
        return Quantity.bytesText(bytes);
    }

    private static StringBuilder field(StringBuilder sb, String key, String value) {
        sb.append("  \"").append(key).append("\": ");
        return Json.quote(sb, value);
    }
}
