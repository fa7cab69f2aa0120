// Package claims checks a run's summary.csv against the claims the suite exists to show:
// a thread per connection costs memory per connection and an event loop does not; the
// event loop serves more requests at high concurrency; CPU work on a single loop blocks
// every other client (head-of-line blocking) unless it is offloaded; and waiting on I/O
// costs the loop no threads while it costs the threaded model one per connection.
//
// Each claim gives PASS or FAIL with the figure it was decided on, or SKIP with the reason
// when the run lacks the rows it needs. Repeated rows are reduced to their median, except
// for the memory slopes, which fit every row.
//
// Concurrency model: none. Check is a pure function of the rows; claims share no state and
// are safe to run from several goroutines.
package claims
