package workload

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Endpoint is what a request asks for.
type Endpoint uint8

// The endpoints. Refused means the Job carries an error status and nothing is to be done.
const (
	Refused Endpoint = iota
	Hello
	IO
	CPU
	File
	Bytes
)

// Parameter ranges.
const (
	MaxIOMillis = 10000
	MaxCPUMicro = 1000000
	MaxKB       = 10240
)

// Allow is the Allow header of a 405.
const Allow = "GET, HEAD, POST"

// ContentType is the Content-Type of every 200 response.
const ContentType = "text/plain"

// HelloBody is the body of /, /hello, /io and /cpu.
var HelloBody = []byte("Hello, World!\n")

// Job is a routed request: the endpoint, its parameter (ms, µs or KiB), and for Refused
// the status to answer with.
type Job struct {
	Endpoint Endpoint
	N        int
	Status   int
}

// Workload holds what the endpoints need: the byte pattern, the file, the CPU calibration.
type Workload struct {
	pattern    []byte // MaxKB KiB, the body of /bytes and the content of the /file file
	file       *os.File
	itersPerUS float64
}

// New creates the /file file, keeps it open and removes its name at once, so that nothing
// is left behind however the server ends (even SIGKILL); then it calibrates Burn.
func New() (*Workload, error) {
	w := &Workload{pattern: makePattern(MaxKB << 10)}
	dir, err := os.MkdirTemp("", "bench-workload-")
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	path := filepath.Join(dir, "file.bin")
	err = os.WriteFile(path, w.pattern, 0o600)
	if err == nil {
		w.file, err = os.Open(path)
	}
	os.RemoveAll(dir) // open or not, the name goes now
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	w.itersPerUS = calibrate()
	return w, nil
}

// Close closes the /file file.
func (w *Workload) Close() error {
	if w.file != nil {
		return w.file.Close()
	}
	return nil
}

// makePattern is printable text in 64-byte lines, the same for every model and run.
func makePattern(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	p := make([]byte, n)
	for i := range p {
		if i%64 == 63 {
			p[i] = '\n'
		} else {
			p[i] = alphabet[(i/64+i)%len(alphabet)]
		}
	}
	return p
}

// Route names what a request asks for. It does not allocate.
func (w *Workload) Route(method, path, query []byte) Job {
	var ep Endpoint
	var max, min int
	var key string
	switch string(path) {
	case "/", "/hello":
		ep = Hello
	case "/io":
		ep, key, min, max = IO, "ms", 0, MaxIOMillis
	case "/cpu":
		ep, key, min, max = CPU, "us", 0, MaxCPUMicro
	case "/file":
		ep, key, min, max = File, "kb", 1, MaxKB
	case "/bytes":
		ep, key, min, max = Bytes, "kb", 1, MaxKB
	default:
		return Job{Status: 404}
	}
	switch string(method) {
	case "GET", "HEAD", "POST":
	default:
		return Job{Status: 405}
	}
	if key == "" {
		return Job{Endpoint: ep, Status: 200}
	}
	n, ok := queryInt(query, key)
	if !ok || n < min || n > max {
		return Job{Status: 400}
	}
	return Job{Endpoint: ep, N: n, Status: 200}
}

// queryInt finds key=digits in a query string.
func queryInt(query []byte, key string) (int, bool) {
	for len(query) > 0 {
		var pair []byte
		if i := bytes.IndexByte(query, '&'); i >= 0 {
			pair, query = query[:i], query[i+1:]
		} else {
			pair, query = query, nil
		}
		if len(pair) <= len(key) || string(pair[:len(key)]) != key || pair[len(key)] != '=' {
			continue
		}
		return parseDecimal(pair[len(key)+1:])
	}
	return 0, false
}

func parseDecimal(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 8 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Bytes is the body of /bytes?kb=kb: a slice of shared memory, never to be written to.
func (w *Workload) Bytes(kb int) []byte { return w.pattern[: kb<<10 : kb<<10] }

// ReadFile reads the first kb KiB of the /file file into buf (grown if needed) with a
// blocking pread on the calling thread, and returns the body.
func (w *Workload) ReadFile(kb int, buf []byte) ([]byte, error) {
	n := kb << 10
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := w.file.ReadAt(buf, 0); err != nil {
		return nil, fmt.Errorf("workload: read /file: %w", err)
	}
	return buf, nil
}
