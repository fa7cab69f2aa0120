package orchestrator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// serverSettings is what a server reports of itself on its "settings {JSON}" line (bench
// serve's, a peer script's second line; scripts/peers/README.md): the whole object for
// run.json, and the fields this package reads.
type serverSettings struct {
	GoMaxProcs int    `json:"gomaxprocs"`
	Design     string `json:"design"`
	// Log is the server's own log, and LogDrops the text of its lines that say the server
	// closed connections it was holding (Apache's event MPM: "will shutdown N keep-alive
	// connections"): each such line in a window goes into the row's note.
	Log      string          `json:"log"`
	LogDrops string          `json:"log_drops"`
	raw      json.RawMessage // the whole object
}

// parseSettings reads a "settings {JSON}" line.
func parseSettings(line string) (serverSettings, error) {
	var s serverSettings
	js, ok := strings.CutPrefix(strings.TrimSpace(line), "settings ")
	if !ok {
		return s, fmt.Errorf("line %q, want \"settings {JSON}\"", line)
	}
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		return s, fmt.Errorf("line %q, want \"settings {JSON}\": %w", line, err)
	}
	s.raw = json.RawMessage(js)
	return s, nil
}

// ParsePeerOutput reads what a peer script prints on stdout (scripts/peers/README.md): the
// server's PID on the first line, then, optionally, its "settings {JSON}" line, returned
// as printed ("" when there is none; parseSettings reads it).
func ParsePeerOutput(out []byte) (pid int, settings string, err error) {
	first, rest, _ := strings.Cut(string(out), "\n")
	pid, err = strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, "", fmt.Errorf("printed %q, want a PID", first)
	}
	settings, _, _ = strings.Cut(rest, "\n")
	return pid, strings.TrimSpace(settings), nil
}

// windowDrops counts the server's log lines that say it closed connections it held
// (settings.LogDrops) over the measured window, duration from its start (or up to the
// call of the returned function, if that comes first). ok is false when the server names
// no such log, the log is on another host (a multi-host run does not read it), or the
// load ended before the window began.
func (p *serverProc) windowDrops(ctx context.Context, win *windowStart, duration time.Duration) (count func() (n int, ok bool)) {
	s := p.settings
	if s.Log == "" || s.LogDrops == "" || p.remote != nil {
		return func() (int, bool) { return 0, false }
	}
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	from, to := int64(-1), int64(-1)
	size := func() int64 {
		if fi, err := os.Stat(s.Log); err == nil {
			return fi.Size()
		}
		return -1
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		start, ok := win.wait(ctx)
		if !ok {
			return
		}
		mu.Lock()
		from = size()
		mu.Unlock()
		if waitUntil(ctx, start.Add(duration)) {
			mu.Lock()
			to = size()
			mu.Unlock()
		}
	}()
	return func() (int, bool) {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if from < 0 {
			return 0, false
		}
		if to < 0 { // the load returned before the window's end
			to = size()
		}
		n, err := countLines(s.Log, from, to, s.LogDrops)
		return n, err == nil
	}
}

// countLines counts the lines of file between the offsets from and to that contain text.
func countLines(file string, from, to int64, text string) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(io.NewSectionReader(f, from, max(0, to-from)))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), text) {
			n++
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return n, err
	}
	return n, nil
}
