import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * JavaPrime is a load the server serves before it listens on its port: JavaThreads.PRIME_CONNS
 * connections on a loopback port of its own, each sending JavaThreads.PRIME_REQUESTS
 * requests for /hello in pipelined batches, served by the same accept loop and the same
 * kind of thread as the measured load. The JIT compiles the parser, the responses and the
 * socket paths on it, so the suite's warm-up and windows measure compiled code, not the
 * interpreter, and the port opens (the script's ready signal) only after.
 */
final class JavaPrime {
    private JavaPrime() { }

    static long run(Thread.Builder threads) throws Exception {
        ServerSocket ln = new ServerSocket();
        ln.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        Thread acceptor = Thread.ofPlatform().daemon().start(() -> JavaThreads.acceptLoop(ln, threads));
        Thread[] clients = new Thread[JavaThreads.PRIME_CONNS];
        long[] served = new long[clients.length];
        for (int i = 0; i < clients.length; i++) {
            int k = i;
            clients[i] = Thread.ofPlatform().start(() -> served[k] = client(ln.getLocalPort()));
        }
        long total = 0;
        for (int i = 0; i < clients.length; i++) {
            clients[i].join();
            total += served[i];
        }
        ln.close();
        acceptor.join();
        return total;
    }

    /** touchYoung allocates, and drops, twice the young generation's capacity, then
     * collects: every page of the young generation is then resident, as it is in a server
     * that has run a few seconds, and the memory a step adds is what its connections keep
     * (promoted to the old generation), not young pages first touched during the step. */
    static void touchYoung() {
        long young = 0;
        for (java.lang.management.MemoryPoolMXBean p : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            String n = p.getName();
            if ((n.contains("Eden") || n.contains("Survivor")) && p.getUsage().getMax() > 0) young += p.getUsage().getMax();
        }
        long sum = 0;
        for (long done = 0; done < 2 * young; done += 64 << 10) {
            byte[] b = new byte[64 << 10];
            b[b.length - 1] = 1;
            sum += b[0] + b[b.length - 1];
        }
        JavaThreads.sink ^= sum;
        System.gc();
    }

    /** client sends the priming requests on one connection: the responses it read whole. */
    private static long client(int port) {
        byte[] one = ("GET /hello HTTP/1.1\r\nHost: prime\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] batch = new byte[one.length * JavaThreads.PRIME_BATCH];
        for (int i = 0; i < JavaThreads.PRIME_BATCH; i++) System.arraycopy(one, 0, batch, i * one.length, one.length);
        byte[] buf = new byte[16 << 10];
        long done = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int sent = 0; sent < JavaThreads.PRIME_REQUESTS; sent += JavaThreads.PRIME_BATCH) {
                out.write(batch);
                // Every response's body, and nothing else in it, holds a '!': "Hello, World!\n".
                for (int seen = 0; seen < JavaThreads.PRIME_BATCH; ) {
                    int m = in.read(buf);
                    if (m <= 0) return done;
                    for (int i = 0; i < m; i++) if (buf[i] == '!') seen++;
                }
                done += JavaThreads.PRIME_BATCH;
            }
        } catch (IOException e) {
            // a short prime: the count says so
        }
        return done;
    }
}
