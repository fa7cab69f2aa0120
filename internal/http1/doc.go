// Package http1 is the HTTP/1.1 core every server model shares: an incremental request
// parser over a byte slice and a response writer that appends to a caller's buffer.
//
// Concurrency model: Parse and the Append functions are pure functions of their arguments
// but for the Date header: the current date, as an IMF-fixdate, is formatted once a second
// by one goroutine (started on first use) and shared read-only through an atomic pointer,
// as nginx caches its time. A Request points into the caller's buffer and is valid until
// that buffer is reused. Nothing allocates on the keep-alive GET path, so every model
// (threads, goroutines, an event loop) pays the same, small, cost per request and differs
// only in how it waits for bytes.
//
// Supported, as RFC 9112 asks of a server: HTTP/1.0 and 1.1, keep-alive (1.1 by default,
// 1.0 with "Connection: keep-alive"), pipelined requests (the caller parses them one after
// another from the same buffer and answers in order), "Connection: close", empty lines
// before a request line, origin-form, asterisk-form and absolute-form targets
// ("GET http://host/path HTTP/1.1"), Content-Length and chunked request bodies (chunk
// extensions and trailers checked and ignored; a chunked body is validated and skipped,
// not decoded), and "Expect: 100-continue" (Request.ExpectContinue tells the caller to
// send AppendContinue's interim response once the head is in and the body is not).
// Every response carries Server and Date.
//
// A server reading a request in pieces calls ParseNext with a Progress it keeps per
// connection: the next call goes on where the last one stopped in a chunked body (Parse,
// which remembers nothing, would scan every chunk again on each read) and 100 Continue is
// asked for once per request.
//
// Limits: a head over MaxHeadBytes is 431; a body over MaxBodyBytes is 413, and so is a
// chunked body whose framing (size lines, extensions, trailers) passes MaxChunkOverhead;
// a transfer coding other than chunked is 501; anything malformed is 400 (an HTTP/1.1
// request without exactly one valid Host, a Transfer-Encoding that does not end with
// chunked or comes with Content-Length or in HTTP/1.0, a malformed chunk). Every such
// error closes the connection.
package http1
