// Package loadgen drives a server: the closed engine (N persistent connections, one
// request in flight each), the open engine (vegeta at a constant rate, latency from each
// request's scheduled time) and the idle-connection holder.
//
// Concurrency model: see the engine files.
package loadgen
