import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** JavaConn serves one connection on the thread it runs on, with blocking reads and writes. */
final class JavaConn implements Runnable {
    final Socket s;
    InputStream in;
    OutputStream out;
    byte[] buf = new byte[JavaThreads.IN_START];
    int n; // bytes in buf
    byte[] ob = new byte[JavaThreads.OUT_START];
    int on; // bytes in ob
    // The request being parsed: offsets into buf.
    int mStart, mLen, pStart, pLen, qStart, qLen, minor;
    boolean keepAlive;
    long clen;
    // Header state.
    boolean hasLen, chunked, close, keep;
    int hosts;

    JavaConn(Socket s) { this.s = s; }

    @Override
    public void run() {
        try (Socket sock = s) {
            in = sock.getInputStream();
            out = sock.getOutputStream();
            serve();
        } catch (IOException | RuntimeException e) {
            // the client went away: the connection ends with its thread
        }
    }

    void serve() throws IOException {
        for (;;) {
            if (serveRequests()) {
                flush();
                closeStaged();
                return;
            }
            if (on > 0) flush();
            if (n == buf.length) grow();
            int m = in.read(buf, n, buf.length - n);
            if (m <= 0) return;
            n += m;
        }
    }

    /** grow doubles the input buffer for a head that does not fit yet (parse refuses one
     * over MAX_HEAD before the buffer reaches IN_MAX). */
    void grow() {
        byte[] b = new byte[Math.min(buf.length * 2, JavaThreads.IN_MAX)];
        System.arraycopy(buf, 0, b, 0, n);
        buf = b;
    }

    /** serveRequests answers every whole request in buf[0:n]; true means close. */
    boolean serveRequests() throws IOException {
        int off = 0;
        for (;;) {
            int h = parse(off, n - off);
            if (h == 0) break;
            if (h < 0) {
                respond(-h, JavaThreads.ERROR_BODIES[-h], 0, JavaThreads.ERROR_BODIES[-h].length, false, 1);
                return true;
            }
            int status = route();
            boolean headOnly = is("HEAD"), ka = keepAlive;
            int conn = !ka ? 1 : minor == 0 ? 2 : 0;
            int ep = job, arg = jobArg;
            long avail = n - off - h;
            if (clen <= avail) {
                off += h + (int) clen;
            } else { // the body's end is still to come: nothing after it is in the buffer
                if (!skipBody(clen - avail)) return true;
                off = n = 0;
            }
            if (!run(status, ep, arg, headOnly, conn) || !ka) return true;
        }
        System.arraycopy(buf, off, buf, 0, n - off);
        n -= off;
        return false;
    }

    boolean skipBody(long rest) throws IOException {
        while (rest > 0) {
            int m = in.read(buf, 0, (int) Math.min(rest, buf.length));
            if (m <= 0) return false;
            rest -= m;
        }
        return true;
    }

    /** closeStaged shuts down writing, then drains what the client still sends (for at most
     * a second), so the kernel does not reset the connection over unread bytes and drop the
     * last responses (RFC 9112 section 9.6). */
    void closeStaged() {
        try {
            s.shutdownOutput();
            s.setSoTimeout(1000);
            for (int i = 0; i < 256 && in.read(buf, 0, buf.length) > 0; i++) { }
        } catch (IOException e) {
            // closed either way
        }
    }

    // ---- output ----

    void flush() throws IOException {
        if (on > 0) out.write(ob, 0, on);
        on = 0;
    }

    void put(byte[] b) { put(b, 0, b.length); }

    void put(byte[] b, int from, int len) {
        if (on + len > ob.length) {
            byte[] nb = new byte[Math.max(on + len, Math.min(ob.length * 2, JavaThreads.OUT_MAX))];
            System.arraycopy(ob, 0, nb, 0, on);
            ob = nb;
        }
        System.arraycopy(b, from, ob, on, len);
        on += len;
    }

    /** putUint queues v in decimal, with no allocation. */
    void putUint(long v) {
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) digits++;
        if (on + digits > ob.length) {
            byte[] nb = new byte[on + digits + JavaThreads.OUT_START];
            System.arraycopy(ob, 0, nb, 0, on);
            ob = nb;
        }
        for (int i = on + digits - 1; i >= on; i--, v /= 10) ob[i] = (byte) ('0' + v % 10);
        on += digits;
    }

    /** respond queues (or, for a large body, writes) one response. conn: 0 nothing, 1
     * close, 2 keep-alive (HTTP/1.0). */
    void respond(int status, byte[] body, int from, int len, boolean headOnly, int conn) throws IOException {
        if (on + 512 > JavaThreads.OUT_MAX) flush();
        put(JavaThreads.STATUS_LINES[status]);
        put(JavaThreads.date());
        put(JavaThreads.CONTENT);
        putUint(len);
        put(JavaThreads.CRLF);
        if (status == 405) put(JavaThreads.ALLOW);
        if (conn != 0) put(conn == 1 ? JavaThreads.CLOSE : JavaThreads.KEEP);
        put(JavaThreads.CRLF);
        if (headOnly || len == 0) return;
        if (on + len <= JavaThreads.OUT_MAX) {
            put(body, from, len);
            return;
        }
        // A large body: the head and the body's start fill one buffer, the rest follows,
        // so the head does not go out in a segment of its own.
        int first = Math.max(0, JavaThreads.OUT_MAX - on);
        put(body, from, first);
        flush();
        out.write(body, from + first, len - first);
    }

    // ---- routing and serving ----

    static final int EP_ERROR = 0, EP_HELLO = 1, EP_IO = 2, EP_CPU = 3, EP_FILE = 4, EP_BYTES = 5;
    static final String[] PATHS = {"/", "/hello", "/io", "/cpu", "/file", "/bytes"};
    static final String[] KEYS = {null, null, "ms", "us", "kb", "kb"};
    static final int[] EPS = {EP_HELLO, EP_HELLO, EP_IO, EP_CPU, EP_FILE, EP_BYTES};
    static final int[] MINS = {0, 0, 0, 0, 1, 1}, MAXS = {0, 0, 10000, 1000000, JavaThreads.MAX_KB, JavaThreads.MAX_KB};
    int job, jobArg;

    boolean is(String m) {
        if (mLen != m.length()) return false;
        for (int i = 0; i < mLen; i++) if (buf[mStart + i] != m.charAt(i)) return false;
        return true;
    }

    boolean pathIs(String p) {
        if (pLen != p.length()) return false;
        for (int i = 0; i < pLen; i++) if (buf[pStart + i] != p.charAt(i)) return false;
        return true;
    }

    /** route sets job and jobArg for the request and returns its status. */
    int route() {
        job = EP_ERROR;
        for (int i = 0; i < PATHS.length; i++) {
            if (!pathIs(PATHS[i])) continue;
            if (!is("GET") && !is("HEAD") && !is("POST")) return 405;
            if (KEYS[i] == null) {
                job = EP_HELLO;
                return 200;
            }
            int x = queryInt(KEYS[i]);
            if (x < MINS[i] || x > MAXS[i]) return 400;
            job = EPS[i];
            jobArg = x;
            return 200;
        }
        return 404;
    }

    /** queryInt finds key=N (1 to 8 digits) in the query; -1 if absent or not a number. */
    int queryInt(String key) {
        int q = qStart, end = qStart + qLen, k = key.length();
        while (q < end) {
            int amp = q;
            while (amp < end && buf[amp] != '&') amp++;
            int len = amp - q;
            if (len > k && startsWith(q, key) && buf[q + k] == '=') {
                int d = len - k - 1;
                if (d == 0 || d > 8) return -1;
                int x = 0;
                for (int i = 0; i < d; i++) {
                    byte c = buf[q + k + 1 + i];
                    if (c < '0' || c > '9') return -1;
                    x = x * 10 + (c - '0');
                }
                return x;
            }
            q = amp + 1;
        }
        return -1;
    }

    boolean startsWith(int at, String s) {
        for (int i = 0; i < s.length(); i++) if (buf[at + i] != s.charAt(i)) return false;
        return true;
    }

    /** run does the job's work and queues its response; false on a write error. */
    boolean run(int status, int ep, int arg, boolean headOnly, int conn) throws IOException {
        switch (ep) {
            case EP_ERROR:
                respond(status, JavaThreads.ERROR_BODIES[status], 0, JavaThreads.ERROR_BODIES[status].length, headOnly, conn);
                return true;
            case EP_IO:
                JavaThreads.sleepMs(arg);
                break;
            case EP_CPU:
                JavaThreads.burn(arg);
                break;
            case EP_BYTES:
                respond(200, JavaThreads.pattern, 0, arg << 10, headOnly, conn);
                return true;
            case EP_FILE:
                byte[] b = headOnly ? null : new byte[arg << 10];
                if (b != null && JavaThreads.readFile(b, b.length) < 0) return false;
                respond(200, b, 0, arg << 10, headOnly, conn);
                return true;
        }
        respond(200, JavaThreads.HELLO, 0, JavaThreads.HELLO.length, headOnly, conn);
        return true;
    }

    // ---- request parsing: the rules of internal/http1 (as scripts/peers/cthreads.c) ----

    static boolean isTokenChar(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    boolean isToken(int p, int len) {
        if (len == 0) return false;
        for (int i = 0; i < len; i++) if (!isTokenChar(buf[p + i] & 0xff)) return false;
        return true;
    }

    boolean ieq(int p, int len, String lower) {
        if (lower.length() != len) return false;
        for (int i = 0; i < len; i++) {
            int c = buf[p + i];
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }

    int indexOf(int from, int to, int b) {
        for (int i = from; i < to; i++) if (buf[i] == b) return i;
        return -1;
    }

    /** headEnd is the offset of the first CRLFCRLF in buf[b:b+len], or -1. */
    int headEnd(int b, int len) {
        for (int i = b; i + 3 < b + len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') return i;
        }
        return -1;
    }

    /** incompleteHead: -status for a head that cannot become a request, else 0 (read more). */
    int incompleteHead(int b, int len) {
        if (len >= JavaThreads.MAX_HEAD) return -431;
        if (indexOf(b, b + len, 0) >= 0) return -400;
        for (int i = b; i < b + len; i++) if (buf[i] == '\n' && (i == b || buf[i - 1] != '\r')) return -400;
        return 0;
    }

    int parseRequestLine(int l, int len) {
        int end = l + len;
        int sp1 = indexOf(l, end, ' ');
        if (sp1 < 0 || sp1 == l) return -400;
        int t = sp1 + 1, sp2 = indexOf(t, end, ' ');
        if (sp2 < 0 || sp2 == t) return -400;
        mStart = l;
        mLen = sp1 - l;
        int tlen = sp2 - t;
        if (!isToken(mStart, mLen) || !(buf[t] == '/' || (tlen == 1 && buf[t] == '*'))) return -400;
        for (int i = t; i < sp2; i++) if ((buf[i] & 0xff) <= ' ' || (buf[i] & 0xff) >= 0x7f) return -400;
        int v = sp2 + 1, vlen = end - v;
        if (vlen == 8 && startsWith(v, "HTTP/1.1")) {
            minor = 1;
            keepAlive = true;
        } else if (vlen == 8 && startsWith(v, "HTTP/1.0")) {
            minor = 0;
            keepAlive = false;
        } else if (vlen == 8 && startsWith(v, "HTTP/") && buf[v + 5] >= '0' && buf[v + 5] <= '9' && buf[v + 6] == '.'
                && buf[v + 7] >= '0' && buf[v + 7] <= '9') {
            return -505;
        } else {
            return -400;
        }
        int q = indexOf(t, sp2, '?');
        pStart = t;
        pLen = q >= 0 ? q - t : tlen;
        qStart = q >= 0 ? q + 1 : sp2;
        qLen = q >= 0 ? sp2 - q - 1 : 0;
        return 0;
    }

    /** parseLength: a Content-Length of 1 to 9 digits; more digits are "too large" (413). */
    long parseLength(int v, int len) {
        if (len == 0) return -1;
        long x = 0;
        for (int i = 0; i < len; i++) {
            byte c = buf[v + i];
            if (c < '0' || c > '9') return -1;
            if (i < 9) x = x * 10 + (c - '0');
        }
        return len > 9 ? JavaThreads.MAX_BODY + 1 : x;
    }

    int parseHeader(int l, int len) {
        int end = l + len;
        int colon = indexOf(l, end, ':');
        if (colon < 0 || !isToken(l, colon - l)) return -400;
        int nlen = colon - l, v = colon + 1, vend = end;
        while (v < vend && (buf[v] == ' ' || buf[v] == '\t')) v++;
        while (vend > v && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t')) vend--;
        for (int i = v; i < vend; i++) if (((buf[i] & 0xff) < ' ' && buf[i] != '\t') || buf[i] == 0x7f) return -400;
        if (ieq(l, nlen, "content-length")) {
            long x = parseLength(v, vend - v);
            if (x < 0 || (hasLen && x != clen)) return -400;
            if (x > JavaThreads.MAX_BODY) return -413;
            hasLen = true;
            clen = x;
        } else if (ieq(l, nlen, "transfer-encoding")) {
            chunked = true;
        } else if (ieq(l, nlen, "host")) {
            hosts++;
        } else if (ieq(l, nlen, "connection")) {
            while (v < vend) {
                int comma = indexOf(v, vend, ',');
                int oend = comma >= 0 ? comma : vend, o = v;
                while (o < oend && (buf[o] == ' ' || buf[o] == '\t')) o++;
                int e = oend;
                while (e > o && (buf[e - 1] == ' ' || buf[e - 1] == '\t')) e--;
                if (ieq(o, e - o, "close")) close = true;
                if (ieq(o, e - o, "keep-alive")) keep = true;
                v = oend + (comma >= 0 ? 1 : 0);
            }
        }
        return 0;
    }

    /** parse: the head length of the first request in buf[b:b+len], 0 if it holds only part
     * of a head, or -status for a request to refuse. */
    int parse(int b, int len) {
        int end = headEnd(b, len);
        if (end < 0) return incompleteHead(b, len);
        int head = end - b + 4;
        if (head > JavaThreads.MAX_HEAD) return -431;
        if (indexOf(b, end, 0) >= 0) return -400;
        clen = 0;
        hasLen = chunked = close = keep = false;
        hosts = 0;
        int p = b, stop = end + 2;
        for (boolean first = true; p < stop; first = false) {
            int nl = indexOf(p, stop, '\n');
            if (nl == p || buf[nl - 1] != '\r') return -400;
            int e = first ? parseRequestLine(p, nl - 1 - p) : parseHeader(p, nl - 1 - p);
            if (e != 0) return e;
            p = nl + 1;
        }
        if (chunked) return hasLen ? -400 : -501;
        if (minor == 1 && hosts != 1) return -400;
        if (close) keepAlive = false;
        else if (keep) keepAlive = true;
        return head;
    }
}
