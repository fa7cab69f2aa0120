package servers

import "sync/atomic"

// Response counting, off unless CountResponses is called (bench serve --count-log): a
// multi-host run checks the load generators' request count against the server's own.
var (
	counting  atomic.Bool
	responses atomic.Int64
)

// CountResponses turns on the count of responses every model sends (AppendResponse).
func CountResponses() { counting.Store(true) }

// Responses is how many responses have been sent since CountResponses.
func Responses() int64 { return responses.Load() }

func countResponse() {
	if counting.Load() {
		responses.Add(1)
	}
}
