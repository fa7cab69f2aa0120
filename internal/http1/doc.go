// Package http1 is the HTTP/1.1 core every server model shares: an incremental request
// parser over a byte slice and a response writer that appends to a caller's buffer.
//
// Concurrency model: none of its own. Parse and the Append functions are pure functions of
// their arguments; a Request points into the caller's buffer and is valid until that
// buffer is reused. Nothing allocates on the keep-alive GET path, so every model (threads,
// goroutines, an event loop) pays the same, small, cost per request and differs only in
// how it waits for bytes.
//
// Supported: HTTP/1.0 and 1.1, keep-alive (1.1 by default, 1.0 with "Connection:
// keep-alive"), pipelined requests (the caller parses them one after another from the same
// buffer and answers in order), "Connection: close", Content-Length request bodies.
// Limits: a head over MaxHeadBytes is 431, a body over MaxBodyBytes is 413, a chunked
// request body is 501, anything malformed is 400; every such error closes the connection.
package http1
