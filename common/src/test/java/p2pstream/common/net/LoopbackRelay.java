package p2pstream.common.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A man in the middle on loopback: accepts connections and opens one to {@code target} for each; what passes
 * between the two is the subclass's business ({@link #relay}). Its threads are its own; closing it closes every
 * socket it opened.
 */
public abstract class LoopbackRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** Listens at once; connections are taken once the subclass, constructed, calls {@link #acceptAll}. */
    protected LoopbackRelay(InetSocketAddress target) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
    }

    /** Starts taking connections: the last line of a subclass's constructor. */
    protected final void acceptAll() {
        start(this::accept, getClass().getSimpleName() + "-accept");
    }

    public final InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void accept() {
        try {
            while (!listener.isClosed()) {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                relay(client, server);
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Starts passing the bytes of one connection between {@code client} and {@code server}, on threads. */
    protected abstract void relay(Socket client, Socket server);

    /** Runs {@code r} on a daemon thread of its own. */
    protected static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    protected static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
