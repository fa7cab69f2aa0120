// Package orchestrator runs a benchmark suite end to end: it reads a suite file
// (suites/*.json: servers, scenarios, levels), plans the steps (one per server × scenario
// × level × repeat, clamped to the open-file limit; repeats in interleaved rounds, see
// Plan), and for each step starts the server
// as a child (`bench serve`, or an external script such as scripts/peers/nginx.sh), pins
// it to the server CPUs, waits until it answers GET /hello, drives it with the load
// generator (package loadgen, behind the Engine interface), samples the server's process
// tree and this process at 10 Hz (package sampler), and appends one summary.csv row, its
// timeseries.csv rows and an .hgrm latency file. `bench run` is its command line. A
// closed step's window begins when the engine says (Config.OnWindow): after its ramp,
// which waits until every connection has been answered (up to the suite's ramp_max), and
// its warm-up; what is read over the window alone (context switches, a server's log)
// waits for it (windowStart).
//
// Hosts: the runner starts a server through a ServerHost (host.go) and drives it
// through an Engine. On this machine (local_host.go) a server is a child process and the
// engine is package loadgen; package orchestrator/sshhost implements both over ssh, for a
// server on another machine and loads split over several. The core files (runner, step,
// record, plan) import no ssh code and start no process themselves; the runner falls back
// to this machine's host when Config.ServerHost is nil.
//
// Each server is told the load of the steps it will serve before it starts (PeerLoad: the
// most connections, the most active ones, the endpoints; a peer script gets them as
// PEER_CONNECTIONS, PEER_ACTIVE and PEER_PATHS and sizes itself by them), and reports its
// effective settings on a "settings {JSON}" line; run.json (metrics.RunManifest) keeps the
// planned points, the servers left out and every start's settings. A server whose
// settings name a log and the text of its lines that mean it closed connections it held
// (Apache's event MPM) has those lines counted in each window, into the row's note (on
// this machine; a multi-host run does not read the server host's log).
//
// Faults do not end a run: a server that does not start, dies mid-step or a load that
// fails gives a row whose note says so, and the next step starts a fresh server. A
// cancelled context (SIGINT, SIGTERM) stops every server and returns ErrInterrupted with
// every finished row on disk.
//
// Concurrency model: steps run one after another on the caller's goroutine. During a
// step, two samplers tick on their own goroutines, hol's background load runs on a
// second goroutine beside the measured one, and one goroutine per server waits for it to
// exit (cancelling the step's loads when it does). A context.AfterFunc stops the current
// server the moment the run is cancelled; the current server is kept behind a mutex for
// it. Children are forked from one OS thread that never exits, so their Pdeathsig
// (SIGKILL should this process die without stopping them) is not fired by the Go
// runtime retiring a thread.
package orchestrator
