package p2pstream.peer.client;

/**
 * What the viewer tells a user whose stream cannot play from the pipe it is writing into, and what works instead. Any
 * thread (stateless).
 */
final class PipeWarning {
    private PipeWarning() {
    }

    /** For an MP4/MOV whose index ({@code moov}) comes after its media ({@code mdat}). */
    static String mdatFirst(String name) {
        String file = PeerClientMain.defaultFileName(name);
        String base = file.endsWith(".mp4") || file.endsWith(".mov") ? file.substring(0, file.length() - 4) : file;
        String ext = file.length() > base.length() ? file.substring(base.length()) : ".mp4";
        return "peer-client: warning: " + name + " is an MP4 whose index (moov) comes after its media (mdat):"
                + " a player reading it from a pipe cannot start (ffmpeg: \"partial file\","
                + " mpv: \"Cannot seek backward in linear streams\").\n"
                + "  Instead: write a file and play that (-o " + file + "), or re-mux the source with its index first:"
                + " ffmpeg -i " + file + " -c copy -movflags +faststart " + base + "-faststart" + ext;
    }
}
