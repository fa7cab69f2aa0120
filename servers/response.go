package servers

import (
	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// InlineBodyMax is the largest body appended to the output buffer; larger bodies are
// written from where they lie (writev), not copied.
const InlineBodyMax = 16 << 10

// AppendResponse appends the response to a routed request whose work is done: body is what
// the endpoint produced (nil for Hello, IO and CPU, which send workload.HelloBody). It
// returns the grown buffer and, when the body is too large to copy, the body to send after
// it. Route errors (404, 405, a bad parameter) keep the connection open.
func AppendResponse(out []byte, req *http1.Request, job workload.Job, body []byte) (buf, large []byte) {
	countResponse()
	slowdown()
	h := http1.Head{Status: job.Status, KeepAlive: req.KeepAlive, Minor: req.Minor}
	switch {
	case job.Status != 200:
		body = statusBody(job.Status)
		if job.Status == 405 {
			h.Allow = workload.Allow
		}
	case body == nil:
		body = workload.HelloBody
	}
	h.ContentType = workload.ContentType
	h.ContentLength = len(body)
	out = http1.AppendHead(out, h)
	if req.IsHead() {
		return out, nil
	}
	if len(body) > InlineBodyMax {
		return out, body
	}
	return append(out, body...), nil
}

var statusBodies = map[int][]byte{}

func init() {
	for _, s := range []int{400, 404, 405, 413, 431, 500, 501, 503, 505} {
		statusBodies[s] = []byte(http1.StatusText(s) + "\n")
	}
}

// statusBody is the body of an error response: its reason phrase and a newline.
func statusBody(status int) []byte {
	if b, ok := statusBodies[status]; ok {
		return b
	}
	return []byte(http1.StatusText(status) + "\n")
}
