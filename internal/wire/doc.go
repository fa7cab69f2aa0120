// Package wire is the protocol between bench run and the bench commands it starts as
// children, here or on other hosts over ssh: what it passes them and what they answer,
// declared once for both sides, so a field added to a load or a server's handshake is
// added here and nowhere else.
//
//   - LoadArgs: the flags of `bench load` that the orchestrator writes for a client host
//     (Args) and `bench load` declares and reads (Bind, Resolve); the start line a client
//     host reads on stdin (StartLine, ParseStartLine); the line that says how many idle
//     connections are held (IdleLine, ParseIdleLine).
//   - LoadReply: `bench load --json`, written from a loadgen.Result (NewLoadReply) and
//     added back into one (AddTo), the latency histograms carried whole.
//   - The server handshake: `bench serve` prints "listening on HOST:PORT", then
//     "settings {JSON}" (Listening); the orchestrator reads both (ParseListening), and a
//     peer script's settings line alone (ParseSettings).
//
// Concurrency model: values and pure functions only; no state.
package wire
