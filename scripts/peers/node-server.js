'use strict';
// The suite's workload on Node.js: node:http, one process, one event loop, libuv's default
// pool of 4 threads for the file system. The bodies, statuses and Content-Type are the Go
// models' (servers/workload):
//   /, /hello      "Hello, World!\n"
//   /io?ms=N       setTimeout N ms (0..10000), then hello
//   /cpu?us=N      a busy loop of N µs (0..1000000) of the thread's CPU time, calibrated at
//                  start on the main thread's CPU time, on the event loop; with --offload on
//                  a pool of 4 worker_threads (a FIFO queue, primed before listening) instead
//   /file?kb=N     fs.read (libuv's pool) of the first N KiB (1..10240) of a file written at start
//   /bytes?kb=N    the first N KiB of the same pattern, from memory
// 400 for a bad parameter, 404 for another path, 405 (Allow: GET, HEAD, POST) for another
// method; a refused request (400, 413, 431, 501, 505) closes the connection.
// usage: node node-server.js PORT [--offload]; it listens on PEER_BIND (default 127.0.0.1);
// start it pinned (taskset) so that the
// calibration runs on the CPUs it serves on.
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const MAX_KB = 10240, MAX_IO_MS = 10000, MAX_CPU_US = 1000000;
const MAX_BODY = 1 << 20, MAX_HEAD = 8 << 10, WORKERS = 4;
const HELLO = Buffer.from('Hello, World!\n');
const ALLOW = 'GET, HEAD, POST';
const REASON = {
  200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Content Too Large',
  431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

// spin: xorshift rounds the JIT cannot fold away (32-bit: JS has no cheap 64-bit integers).
function spin(n) {
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  }
  return x;
}

// threadCpuClock: this thread's CPU time in ns, from /proc/thread-self/schedstat (Node 20 has
// no process.threadCpuUsage): its fields are ns on the CPU, ns waiting, and times switched
// in. The kernel adds the time run to the first when the thread leaves the CPU (or at a
// tick, every few ms), so a reading first blocks the thread for 50 µs (Atomics.wait), and
// again while the count shows no switch (a wait whose deadline passed before it blocked:
// 2 % of 10 µs waits beside a busy loop, measured). null where the file is absent.
function threadCpuClock() {
  let fd;
  try {
    fd = fs.openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return null;
  }
  const buf = Buffer.alloc(128), cell = new Int32Array(new SharedArrayBuffer(4));
  const read = () => buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, 0)).split(' ');
  const now = () => {
    let before = read(), after;
    for (let i = 0; i < 100; i++, before = after) {
      Atomics.wait(cell, 0, 0, 0.05);
      after = read();
      if (after[2] !== before[2]) break;
    }
    return Number(after[0]);
  };
  try {
    if (Number.isFinite(now())) return { now, close: () => fs.closeSync(fd) };
  } catch { /* an unreadable file: the wall clock */ }
  fs.closeSync(fd);
  return null;
}

// calibrate: spin's rounds per µs of the calibrating (main) thread's CPU time, the best of 7
// runs after a warm-up (as servers/workload): beside a busy thread a burn then takes longer,
// not fewer rounds. On the wall clock (process.hrtime) where the thread's CPU time cannot be
// read. Returns [rounds per µs, 'thread-cpu' or 'wall'].
function calibrate() {
  const rounds = 1 << 21, cpu = threadCpuClock();
  const now = cpu ? cpu.now : () => Number(process.hrtime.bigint());
  let best = Infinity, sink = 0;
  spin(rounds); spin(rounds);
  for (let i = 0; i < 7; i++) {
    const t0 = now();
    sink ^= spin(rounds);
    const d = (now() - t0) / 1000;
    if (d > 0 && d < best) best = d;
  }
  if (cpu) cpu.close();
  return [sink === 0.5 ? 0 : rounds / best, cpu ? 'thread-cpu' : 'wall'];
}

if (!isMainThread) { // an offload worker: burn what the main thread asks, reply with the id
  parentPort.on('message', (m) => parentPort.postMessage([m[0], spin(Math.floor(m[1] * workerData))]));
  return;
}

function makePattern(n) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
  const p = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) p[i] = i % 64 === 63 ? 10 : alphabet.charCodeAt((Math.floor(i / 64) + i) % 64);
  return p;
}

const port = Number(process.argv[2]);
const offload = process.argv.includes('--offload');
const pattern = makePattern(MAX_KB << 10);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-peer-'));
const file = path.join(dir, 'file.bin');
fs.writeFileSync(file, pattern);
const fileFd = fs.openSync(file, 'r');
fs.unlinkSync(file);
fs.rmdirSync(dir); // the open descriptor keeps the data until the process ends
const [itersPerUs, cpuCalibration] = calibrate();

// The offload pool: a FIFO of burns waiting for one of WORKERS idle threads, handed to the
// idle threads in FIFO order too (the one idle longest first), so that all of them stay warm.
const pool = { workers: [], idle: [], queue: [], done: new Map(), next: 0 };
if (offload) {
  for (let i = 0; i < WORKERS; i++) {
    const w = new Worker(__filename, { workerData: itersPerUs });
    w.on('message', (m) => {
      const cb = pool.done.get(m[0]);
      pool.done.delete(m[0]);
      const job = pool.queue.shift();
      if (job) w.postMessage(job); else pool.idle.push(w);
      cb();
    });
    w.on('error', (e) => { // a worker that dies (while priming, say) would leave its burns waiting forever
      console.error(`node-server: offload worker failed: ${e && e.stack || e}`);
      process.exit(1);
    });
    pool.workers.push(w);
    pool.idle.push(w);
  }
}

function burnOffloaded(us, cb) {
  const id = pool.next++;
  pool.done.set(id, cb);
  const w = pool.idle.shift();
  if (w) w.postMessage([id, us]); else pool.queue.push([id, us]);
}

// primeWorkers: a new worker's isolate runs spin unoptimised (V8 optimises it per isolate),
// so the first burns after start would take longer and queue. Each worker burns PRIME_US
// once (WORKERS burns handed to WORKERS idle workers), and ready runs when all have answered.
// The workers keep the process alive until then, and are unref'd after (as before priming).
const PRIME_US = 20000;
function primeWorkers(ready) {
  if (!offload) return ready();
  let left = WORKERS;
  const primed = () => {
    if (--left > 0) return;
    for (const w of pool.workers) w.unref();
    ready();
  };
  for (let i = 0; i < WORKERS; i++) burnOffloaded(PRIME_US, primed);
}

let burnSink = 0;
function burn(us) { burnSink ^= spin(Math.floor(us * itersPerUs)); }

// queryInt finds key=N (1 to 8 digits) in a query string; -1 if absent or not a number.
function queryInt(query, key) {
  for (const pair of query.split('&')) {
    if (pair.length <= key.length || !pair.startsWith(key) || pair[key.length] !== '=') continue;
    const v = pair.slice(key.length + 1);
    return /^[0-9]{1,8}$/.test(v) ? Number(v) : -1;
  }
  return -1;
}

const ROUTES = {
  '/': null, '/hello': null, '/io': ['ms', 0, MAX_IO_MS], '/cpu': ['us', 0, MAX_CPU_US],
  '/file': ['kb', 1, MAX_KB], '/bytes': ['kb', 1, MAX_KB],
};

function send(res, status, body, close) {
  const h = { 'Server': 'node', 'Content-Type': 'text/plain', 'Content-Length': body.length };
  if (status === 405) h['Allow'] = ALLOW;
  if (close) h['Connection'] = 'close';
  res.writeHead(status, REASON[status], h);
  res.end(body);
}

function errorBody(status) { return Buffer.from(REASON[status] + '\n'); }

// refusal says why a request that llhttp accepted must still be refused (as internal/http1),
// or 0. It reads rawHeaders, and lowercases only a name as long as one it looks for (host,
// content-length, transfer-encoding): the common request costs a length comparison per
// header and no string is built.
function refusal(req) {
  if (req.httpVersion !== '1.1' && req.httpVersion !== '1.0') return 505;
  const url = req.url;
  if (url === '' || (url[0] !== '/' && url !== '*')) return 400;
  const raw = req.rawHeaders;
  let hosts = 0, cl, te = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    switch (name.length) {
      case 4: if (name.toLowerCase() === 'host') hosts++; break;
      case 14: if (cl === undefined && name.toLowerCase() === 'content-length') cl = raw[i + 1]; break;
      case 17: if (name.toLowerCase() === 'transfer-encoding') te = true; break;
    }
  }
  if (te) return cl !== undefined ? 400 : 501;
  if (req.httpVersion === '1.1' && hosts !== 1) return 400;
  if (cl !== undefined && (!/^[0-9]+$/.test(cl))) return 400;
  if (cl !== undefined && Number(cl) > MAX_BODY) return 413;
  return 0;
}

function handle(req, res) {
  const bad = refusal(req);
  if (bad === 505) return send(res, 505, errorBody(505), true); // answered as HTTP/1.1
  if (bad) {
    req.socket.once('finish', () => req.socket.destroySoon());
    return send(res, bad, errorBody(bad), true);
  }
  req.resume(); // a body is read and dropped
  const q = req.url.indexOf('?');
  const p = q < 0 ? req.url : req.url.slice(0, q);
  if (!(p in ROUTES)) return send(res, 404, errorBody(404));
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return send(res, 405, errorBody(405));
  const r = ROUTES[p];
  if (r === null) return send(res, 200, HELLO);
  const n = queryInt(q < 0 ? '' : req.url.slice(q + 1), r[0]);
  if (n < r[1] || n > r[2]) return send(res, 400, errorBody(400));
  switch (p) {
    case '/io': return void setTimeout(() => send(res, 200, HELLO), n);
    case '/cpu':
      if (offload) return burnOffloaded(n, () => send(res, 200, HELLO));
      burn(n);
      return send(res, 200, HELLO);
    case '/bytes': return send(res, 200, pattern.subarray(0, n << 10));
  }
  const buf = Buffer.allocUnsafe(n << 10);
  fs.read(fileFd, buf, 0, buf.length, 0, (err, got) => {
    if (err || got !== buf.length) return send(res, 500, errorBody(500), true);
    send(res, 200, buf);
  });
}

// clientError: llhttp refused the request; answer as internal/http1 would, and close.
function clientError(err, socket) {
  // Bytes after a "Connection: close" request: the responses owed before it still go out,
  // and node closes the connection after the last of them.
  if (err.code === 'HPE_CLOSED_CONNECTION') return;
  if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
  let status = 400;
  if (err.code === 'HPE_HEADER_OVERFLOW') status = 431;
  // llhttp says so of a bare LF after the version too; 505 is for a well-formed other version.
  else if (err.code === 'HPE_INVALID_VERSION' && /^[^\r\n]* HTTP\/[0-9]\.[0-9]\r\n/.test(String(err.rawPacket))) status = 505;
  const body = REASON[status] + '\n';
  socket.end(`HTTP/1.1 ${status} ${REASON[status]}\r\nServer: node\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
}

const server = http.createServer({ maxHeaderSize: MAX_HEAD, requireHostHeader: false }, handle);
server.keepAliveTimeout = 60000;
server.headersTimeout = 65000;
server.maxRequestsPerSocket = 0;
server.on('clientError', clientError);
// Listening (the port open and the settings line) is the orchestrator's ready signal: only
// once the offload workers are primed.
primeWorkers(() => server.listen({ host: process.env.PEER_BIND || '127.0.0.1', port, backlog: 4096 }, () => {
  // The effective settings, one JSON line on stdout (node.sh prints it after the PID).
  console.log(JSON.stringify({
    server: 'node', version: process.version, offload, offload_workers: offload ? WORKERS : 0,
    offload_prime_us: offload ? PRIME_US : 0,
    uv_threadpool_size: Number(process.env.UV_THREADPOOL_SIZE || 4), keep_alive_timeout_ms: server.keepAliveTimeout,
    headers_timeout_ms: server.headersTimeout, max_requests_per_socket: server.maxRequestsPerSocket,
    max_header_size: MAX_HEAD, backlog: 4096, no_delay: true, cpu_iters_per_us: Number(itersPerUs.toFixed(3)),
    cpu_calibration: cpuCalibration,
  }));
}));
process.on('SIGTERM', () => process.exit(0));
