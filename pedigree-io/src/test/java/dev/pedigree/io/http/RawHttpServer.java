package dev.pedigree.io.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP/1.1 server on a raw socket, for servers that misbehave below what
 * {@code com.sun.net.httpserver} lets a test do: trickle a body, never answer, send headers a byte
 * at a time. Each connection runs {@link Handler} on its own thread. Tests only.
 */
final class RawHttpServer implements AutoCloseable {
    /** Answers one request on {@code out}; may sleep, write slowly or never write. */
    interface Handler {
        void handle(String method, long[] range, OutputStream out) throws IOException, InterruptedException;
    }

    private static final Pattern RANGE = Pattern.compile("(?im)^Range: bytes=([0-9]+)-([0-9]+)");

    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Handler handler;

    RawHttpServer(Handler handler) throws IOException {
        this.handler = handler;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("raw-http-accept").start(this::acceptLoop);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.add(head.lines().findFirst().orElse(""));
                String method = head.substring(0, Math.max(0, head.indexOf(' ')));
                Matcher m = RANGE.matcher(head);
                long[] range = m.find() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : null;
                handler.handle(method, range, out);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client went away or the server closed
        } catch (RuntimeException e) {
            System.out.println("RAW SERVER " + e);
            e.printStackTrace(System.out);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return new String(a, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** A HEAD answer for a file of {@code size} bytes that supports ranges. */
    static void head(OutputStream out, long size) throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\nAccept-Ranges: bytes\r\nETag: \"e\"\r\n\r\n");
    }

    /** The headers of a 206 answer for {@code range} of a file of {@code size} bytes. */
    static void partialHeaders(OutputStream out, long[] range, long size) throws IOException {
        write(
                out,
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + range[0] + "-" + range[1] + "/" + size
                        + "\r\nContent-Length: " + (range[1] - range[0] + 1) + "\r\nETag: \"e\"\r\n\r\n");
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
        acceptor.interrupt();
    }
}
