// Package servers is the contract every server model meets, the registry the `bench serve`
// command and the conformance suite pick models from, and the connection loop the
// blocking models (threaded, goroutine) share.
//
// Every model speaks HTTP/1.1 through internal/http1 and serves servers/workload, so the
// only difference between models is how they wait: an OS thread blocked per connection, a
// goroutine parked in Go's netpoller, or an event loop over epoll.
//
// Concurrency model: the registry is filled by the model packages' init functions and
// read-only afterwards. ServeConn runs on the goroutine (and, for the threaded model, the
// locked OS thread) of the connection it serves and shares nothing with other connections
// but the immutable Workload.
package servers
