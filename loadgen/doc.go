// Package loadgen drives a server: the closed engine (N persistent connections, one
// request in flight each, as wrk does), the open engine (vegeta at a constant rate or a
// linear ramp, latency from each request's scheduled time) and the idle-connection holder
// (the C10K memory test). RunClosed, RunOpen and Hold are the entry points; Config says
// what to send and for how long; Result carries counts, error classes, an HdrHistogram of
// latencies (µs, 1 µs – 60 s, 3 digits), one-second windows and the client's own CPU.
// Every engine refuses a non-loopback target unless Config.AllowRemote, and a level the
// open-file limit (raised to its hard limit first) cannot hold.
//
// Concurrency model. The closed engine runs Config.Loops event loops (default: one per CPU
// the process may run on), each a goroutine locked to its OS thread for the whole run,
// each with its own epoll instance, its share of the connections, one 64 KiB read buffer
// and the request encoded once (Pipeline copies of it). Nothing is shared between loops
// while they run: each counts into its own tally (whole-run and per-second histograms),
// and RunClosed merges them when every loop has drained. A connection is a few words (a
// descriptor, a tiny incremental response parser, write offsets) plus Pipeline send times;
// sockets are non-blocking, registered edge-triggered once for their life (no epoll_ctl
// per request, where wrk pays two), so a request costs one write and one read plus a share
// of an epoll_wait. A periodic scan (every 10 ms) handles request and connect timeouts,
// reconnects and the end of the run. The open engine is vegeta's Attacker (its own
// goroutines) over a net/http transport the engine owns: it counts the workers busy on a
// request, and when RunOpen returns it has closed every connection it opened, so none is
// left open into the next load. One collector goroutine counts the results. The idle
// holder sets its connections up from the caller's goroutine (non-blocking connects, at
// most IdleSetUpConcurrency, 64, set-ups at once), then one goroutine blocks in epoll_wait to notice the
// server closing any of them; a held connection costs a descriptor and ~100 bytes.
//
// Decided by measurement (2-core VM, Go 1.26; BenchmarkClosedRequestResponse,
// BenchmarkClock and scripts/loadgen-vs-wrk.sh):
//   - read(2) and write(2) on the non-blocking sockets never block, so they go through
//     unix.RawSyscall: ~440 ns against ~520 ns for the runtime's syscall path, whose entry
//     and exit bookkeeping is pure cost here. Errors come back as Errno, without
//     allocating; the request/response path allocates nothing (a test pins it).
//   - epoll_wait first polls without blocking, through the raw path; under load that poll
//     finds events, so the loop neither pays the syscall bookkeeping nor gives up its P.
//     Only an empty poll is followed by a blocking wait through the ordinary path, which
//     releases the P while the loop has nothing to do. With GOMAXPROCS at its default (it
//     stays at the machine's CPU count after --cpus pins the process) an idle P exists,
//     so sysmon does not hand a P away from a loop blocked for less than 10 ms; with
//     GOMAXPROCS=1 the loop measured the same req/s, getting its P back from the idle list.
//     The loop allocates nothing while it runs, so no GC assist or stop-the-world takes it.
//   - The response parser takes a status or header line that lies whole in the read
//     buffer at once (IndexByte to its LF), and falls back to a byte-at-a-time state
//     machine only for a line split across reads: ~175 ns for nginx's 160-byte response,
//     against ~770 ns byte by byte (BenchmarkParse). Bodies are skipped by count.
//   - The clock: time.Since(base) (monotonic only, ~27 ns) rather than time.Now (~59 ns,
//     which also reads the wall clock), read at each epoll wake-up and again after each
//     read(2) that returned data: the responses in it are stamped then, and the requests
//     sent for them too, so a connection handled late in a batch of up to 512 events is
//     not stamped at the wake-up (which erred by the batch's handling time, both ways).
//     The extra read is one time.Since per read (~26 ns, BenchmarkClock), under 1 % of a
//     request/response cycle (BenchmarkClosedRequestResponse: its before/after change was
//     within the noise of a shared machine, still 0 allocs/op). Latency is
//     from the write of a request to the end of the read that completed its response, as
//     wrk measures it.
//
// Counting. A closed-engine request belongs to the phase in which it was sent: warm-up
// (Result.WarmupRequests), window, or not at all (no request is sent after the window; the
// engine then waits up to Config.Timeout for those in flight). An open-engine request
// belongs to the phase in which it was due, and its success counts in Requests only if it
// completed by the window's end plus Config.Grace: one that completed later is Late (its
// latency still recorded), so Requests never exceeds the requests due (Result.Due) and
// req/s never the offered rate, however far vegeta fell behind. Due = Requests + Late +
// Errors.Total(), exactly (for a cancelled run Due counts up to the attack's end), and
// Sent (due in the window and sent before its end) ≤ Due. So the 2xx responses a server
// sent equal WarmupRequests + Requests (+ Late, open engine), exactly; the tests hold both
// engines to that against a counting server, and each error class to what a misbehaving
// server did. Errors: connect (per failed attempt; retried after 100 ms), reset (the
// server closed or reset the connection with requests in flight: each in-flight request
// counts), timeout (each in-flight request), status (a complete non-2xx response), parse
// (a response that is not HTTP/1.1, or one no request asked for). A response with
// Connection: close is a success followed by a reconnect; requests pipelined behind it
// were never taken by the server and are not counted. Every connect attempt in the window
// after a connection's first (after a close, an error or a failed connect) is a reconnect,
// never a request. The open engine records its failures in Latency too, each at the time
// it had waited (wrk2's way), and keeps the successes (late ones too) alone in
// SuccessLatency.
//
// Bound facts. The process's CPU (getrusage, every thread: process-wide, so two engines
// run at once each see both, and CPUShared says so) is measured over the window; a client
// that used ≥ BoundCPUShare of the CPUs its threads could use (loops for the closed engine,
// GOMAXPROCS for the open one, at most the CPUs it may run on) is ClientBound. Apart from
// that judgement, the open engine records facts: RateShort (sent < RateShortShare of the
// offered rate), WorkersExhausted (every allowed worker busy on the server at once, so
// vegeta could send nothing more: the server's limit) and a Note on the shortfall.
package loadgen
