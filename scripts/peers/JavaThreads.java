import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The suite's thread-per-connection server on Java: blocking java.net.ServerSocket and
 * Socket streams, one thread per accepted connection, started by Thread.ofPlatform() or
 * Thread.ofVirtual() (the only difference between the java-platform and java-virtual
 * peers), keep-alive and pipelining, and the suite's workload with the Go models' bytes:
 *   /, /hello      "Hello, World!\n"
 *   /io?ms=N       Thread.sleep N ms (0..10000), then hello
 *   /cpu?us=N      a busy loop of N µs (0..1000000) of thread CPU time, calibrated at start
 *   /file?kb=N     a positional read of the first N KiB (1..10240) of a file written at start
 *   /bytes?kb=N    the first N KiB of the same pattern, from memory
 * 400 for a bad parameter, 404 for another path, 405 (Allow: GET, HEAD, POST) for another
 * method; a bad request is refused with 400/413/431/501/505 and the connection closed, as
 * internal/http1 does (the rules of scripts/peers/cthreads.c, ported line for line).
 * usage: java JavaThreads PORT platform|virtual; it listens on PEER_BIND (default
 * 127.0.0.1) and prints its settings as one JSON line once it listens.
 */
public final class JavaThreads {
    static final int MAX_HEAD = 8 << 10, MAX_BODY = 1 << 20, MAX_KB = 10240;
    // A connection's buffers start small and grow to a head's limit when a head needs it:
    // an idle keep-alive connection holds IN_START + OUT_START bytes of them.
    static final int IN_START = 1024, IN_MAX = 16 << 10, OUT_START = 512, OUT_MAX = 4096;
    static final byte[] HELLO = ascii("Hello, World!\n");
    static final int PRIME_CONNS = 8, PRIME_REQUESTS = 2000, PRIME_BATCH = 16; // JavaPrime's load

    static byte[] pattern;
    static FileChannel file;
    static double itersPerUs;
    static volatile long sink;

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    // ---- workload ----

    static void makePattern() {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
        int n = MAX_KB << 10;
        pattern = new byte[n];
        for (int i = 0; i < n; i++) pattern[i] = i % 64 == 63 ? (byte) '\n' : (byte) alphabet.charAt((i / 64 + i) % 64);
    }

    static void makeFile() throws IOException {
        String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
        Path p = Files.createTempFile(Path.of(tmp.isEmpty() ? "/tmp" : tmp), "java-peer-file", ".bin");
        Files.write(p, pattern);
        file = FileChannel.open(p, StandardOpenOption.READ);
        Files.delete(p); // the open channel keeps the data until the process ends
    }

    /** spin: xorshift rounds the JIT cannot fold away (the loop of servers/workload). */
    static long spin(long n) {
        long x = 88172645463325252L;
        for (long i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 7; x ^= x << 17; }
        return x;
    }

    /** calibrate: spin's rounds per µs of the main thread's CPU time, the best of 7 runs
     * after enough rounds for the JIT to compile spin. */
    static void calibrate() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long rounds = 1 << 20;
        for (int i = 0; i < 50; i++) sink ^= spin(rounds);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 7; i++) {
            long t0 = mx.getCurrentThreadCpuTime();
            sink ^= spin(rounds);
            double d = (mx.getCurrentThreadCpuTime() - t0) / 1e3;
            if (d > 0 && d < best) best = d;
        }
        itersPerUs = rounds / best;
    }

    static void burn(int us) { sink ^= spin((long) (us * itersPerUs)); }

    // ---- the Date header, formatted once a second ----

    static final DateTimeFormatter RFC1123 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);
    static volatile long dateSec = -1;
    static volatile byte[] dateBytes;

    static byte[] date() {
        long now = System.currentTimeMillis() / 1000;
        if (now != dateSec) { // a race formats the same second twice: harmless
            dateBytes = ascii(ZonedDateTime.now(ZoneOffset.UTC).format(RFC1123));
            dateSec = now;
        }
        return dateBytes;
    }

    static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 413: return "Content Too Large";
            case 431: return "Request Header Fields Too Large";
            case 501: return "Not Implemented";
            case 505: return "HTTP Version Not Supported";
        }
        return "Internal Server Error";
    }

    static final byte[][] STATUS_LINES = new byte[600][];
    static final byte[][] ERROR_BODIES = new byte[600][];
    static {
        for (int s : new int[] {200, 400, 404, 405, 413, 431, 500, 501, 505}) {
            STATUS_LINES[s] = ascii("HTTP/1.1 " + s + " " + reason(s) + "\r\nServer: java\r\nDate: ");
            ERROR_BODIES[s] = ascii(reason(s) + "\n");
        }
    }
    static final byte[] CONTENT = ascii("\r\nContent-Type: text/plain\r\nContent-Length: ");
    static final byte[] ALLOW = ascii("Allow: GET, HEAD, POST\r\n");
    static final byte[] CLOSE = ascii("Connection: close\r\n");
    static final byte[] KEEP = ascii("Connection: keep-alive\r\n");
    static final byte[] CRLF = ascii("\r\n");

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[1].equals("platform") || args[1].equals("virtual"))) {
            System.err.println("usage: java JavaThreads PORT platform|virtual");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        boolean virtual = args[1].equals("virtual");
        Thread.Builder threads = virtual ? Thread.ofVirtual() : Thread.ofPlatform();
        makePattern();
        makeFile();
        calibrate();
        date();
        long primed = JavaPrime.run(threads);
        JavaPrime.touchYoung();
        String host = System.getenv().getOrDefault("PEER_BIND", "127.0.0.1");
        ServerSocket ln = new ServerSocket();
        ln.setReuseAddress(true);
        ln.bind(new InetSocketAddress(InetAddress.getByName(host.isEmpty() ? "127.0.0.1" : host), port), 4096);
        System.out.println(JavaSettings.json(virtual, primed));
        System.out.flush();
        acceptLoop(ln, threads);
    }

    /** acceptLoop starts a thread of the builder for every connection ln accepts. */
    static void acceptLoop(ServerSocket ln, Thread.Builder threads) {
        for (;;) {
            Socket s;
            try {
                s = ln.accept();
            } catch (IOException e) {
                if (ln.isClosed()) return;
                sleepMs(1); // out of descriptors: let a connection close
                continue;
            }
            try {
                s.setTcpNoDelay(true);
                threads.start(new JavaConn(s));
            } catch (IOException | OutOfMemoryError e) {
                try { s.close(); } catch (IOException ignored) { }
            }
        }
    }

    static void sleepMs(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int readFile(byte[] dst, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
        long off = 0;
        while (b.hasRemaining()) {
            int m = file.read(b, off);
            if (m <= 0) return -1;
            off += m;
        }
        return len;
    }
}
