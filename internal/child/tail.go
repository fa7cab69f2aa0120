package child

import (
	"strings"
	"sync"
)

// tailSize is how many bytes of a child's stderr a Tail keeps.
const tailSize = 2048

// Tail keeps the last bytes written to it: a child's stderr, for error messages and for
// the lines a child reports there (bench load's idle line). Its zero value is ready.
type Tail struct {
	mu   sync.Mutex
	buf  []byte
	wake chan struct{} // closed and replaced on each write (Changed)
}

func (t *Tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if t.wake != nil {
		close(t.wake)
		t.wake = nil
	}
	if len(t.buf) > tailSize {
		t.buf = t.buf[len(t.buf)-tailSize:]
	}
	return len(b), nil
}

// Suffix is the last line written as ": line", or "" when nothing was.
func (t *Tail) Suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return ""
	}
	return ": " + s
}

// Changed is closed at the next write.
func (t *Tail) Changed() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.wake == nil {
		t.wake = make(chan struct{})
	}
	return t.wake
}

// Line is the last complete line that starts with prefix.
func (t *Tail) Line(prefix string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(string(t.buf), "\n")
	for i := len(lines) - 2; i >= 0; i-- { // the last element is an unfinished line
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i], true
		}
	}
	return "", false
}
