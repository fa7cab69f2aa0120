package orchestrator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
	if !ok || json.Unmarshal([]byte(js), &s) != nil {
		return s, fmt.Errorf("line %q, want \"settings {JSON}\"", line)
	}
	s.raw = json.RawMessage(js)
	return s, nil
}

// windowDrops counts the server's log lines that say it closed connections it held
// (settings.LogDrops), from start (the window's beginning) to the call of the returned
// function. ok is false when the server names no such log, the log is on another host, or
// the load ended before start.
func (p *serverProc) windowDrops(ctx context.Context, start time.Time) (count func() (n int, ok bool)) {
	s := p.settings
	if s.Log == "" || s.LogDrops == "" || p.remote != nil {
		return func() (int, bool) { return 0, false }
	}
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	offset := int64(-1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if !waitUntil(ctx, start) {
			return
		}
		if fi, err := os.Stat(s.Log); err == nil {
			mu.Lock()
			offset = fi.Size()
			mu.Unlock()
		}
	}()
	return func() (int, bool) {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if offset < 0 {
			return 0, false
		}
		n, err := countLines(s.Log, offset, s.LogDrops)
		return n, err == nil
	}
}

// countLines counts the lines of file from offset on that contain text.
func countLines(file string, offset int64, text string) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	n := 0
	sc := bufio.NewScanner(f)
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
