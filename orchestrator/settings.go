package orchestrator

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// windowDrops counts the server's log lines that say it closed connections it held
// (settings.LogDrops) over the measured window, duration from its start (or up to the
// call of the returned function, if that comes first). ok is false when the server names
// no such log, the log is on another host (a multi-host run does not read it), or the
// load ended before the window began.
func (p *serverProc) windowDrops(ctx context.Context, win *windowStart, duration time.Duration) (count func() (n int, ok bool)) {
	s := p.settings
	if s.Log == "" || s.LogDrops == "" || !p.Local() {
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
