// Package servertest is the conformance suite every server model passes: one set of
// subtests, run against each model over raw TCP, so the models are held to the same
// HTTP/1.1 behaviour and the same bytes on the wire, and a new model (evented, or any
// other) is checked by adding one row to a table.
//
// Run talks to the server as a client would: it dials 127.0.0.1, writes raw request bytes
// (whole, pipelined, one byte at a time, or malformed on purpose) and parses the responses
// with net/http's http.ReadResponse. Every connection carries a deadline of a few seconds,
// a safety net so a hung server fails the test instead of hanging it; the suite never
// sleeps to wait for the server.
//
// What Run checks:
//
//   - Endpoints, RouteErrors, Post, Head: /, /hello, /io, /cpu, /file, /bytes (up to
//     10 MiB) answer 200 with the exact Content-Length and bodies byte-identical to
//     servers/workload's (HelloBody, and one shared pattern for /file and /bytes); a
//     missing or out-of-range parameter is 400, an unknown path 404, another method 405
//     with an Allow header, and none of these closes the connection; POST bodies are
//     consumed; HEAD sends the GET's Content-Length and no body.
//   - KeepAlive, Pipelining, DeepPipeline, HTTP10, ConnectionClose, HalfClose: 100
//     requests on one connection; 16 mixed requests in one write, and 500 small ones,
//     answered in order; HTTP/1.0 closes unless it asked for keep-alive (then the response
//     says Connection: keep-alive); "Connection: close" is echoed and the server closes; a
//     client that half-closes after its requests still gets every response.
//   - Malformed, Limits: garbage, a bad header line, bare LF, NUL, both Content-Length and
//     Transfer-Encoding, a missing Host are 400 and close; an unsupported version is 505,
//     a transfer coding other than chunked 501, a body over 1 MiB 413, a head over 8 KiB
//     431, while a head of exactly 8 KiB and a body of exactly 1 MiB are served. After
//     each refusal a new connection still gets 200.
//   - VanishingClients, ParallelConns, SlowClient: clients that close or reset in the
//     middle of a request do not disturb a connection being served; 200 connections of 20
//     requests each are all answered; a request written one byte per write is answered.
//   - PipelinedClose: responses owed before a "Connection: close" request reach a
//     pipelining client whole, though it sent more requests after it (the server must
//     close in stages, RFC 9112 section 9.6).
//   - AbsoluteForm, LeadingCRLF, ChunkedPost, ChunkedMalformed, ChunkedTooLarge,
//     ExpectContinue, HostRules (rfc9112.go): what RFC 9112 asks a server to accept
//     though clients seldom send it. "GET http://host/path" is served as /path; empty
//     lines before a request are ignored; chunked bodies with extensions and trailers are
//     consumed and the connection goes on; a malformed chunk is 400 and closes only its
//     connection; chunked data over 1 MiB is 413; "Expect: 100-continue" gets "100
//     Continue" after the head, before the body is sent, once per request; an HTTP/1.1
//     request without Host, or with two, is 400.
//   - DateServer: every response, refusals included, carries Server and a Date within a
//     few seconds of now.
//
// RunIdleTimeout checks the idle keep-alive timeout of a model started with a short
// Config.IdleTimeout: an idle connection is closed about that long after its last
// response, and a busy connection is not.
//
// Adding a model: register it with servers.Register from its package's init, then add a
// blank import and a row (name, model, servers.Config) to the table in models_test.go.
// TestModels and TestIdleTimeout then run it: start builds a workload, calls servers.New
// with Addr "127.0.0.1:0", runs Serve on a goroutine and registers Close with t.Cleanup. A
// model that caps its concurrent connections (a thread pool) must accept at least
// MaxConns of them at once.
//
// Concurrency model: the subtests of one Run share one server and run one after another;
// only ParallelConns starts goroutines, and they report through a channel, never through
// t.Fatal.
package servertest
