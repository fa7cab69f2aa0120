package loadgen

import (
	"context"
	"errors"
	"testing"
	"time"
)

// With StartAt, an engine begins its warm-up no earlier than that instant and says when
// it began; a cancel while it waits returns at once without a result.
func TestStartAtDelaysTheWarmup(t *testing.T) {
	s := startServer(t, countingHello)
	at := time.Now().Add(200 * time.Millisecond)
	for _, run := range []func(context.Context, Config) (*Result, error){RunClosed, RunOpen} {
		cfg := Config{URL: s.url("/hello"), Concurrency: 1, Rate: 100, Duration: 100 * time.Millisecond, StartAt: at}
		res, err := run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Began.Before(at) || res.Requests == 0 {
			t.Errorf("began %v before StartAt %v, or no request (%d)", res.Began, at, res.Requests)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := RunClosed(ctx, Config{URL: s.url("/hello"), Concurrency: 1, Duration: time.Second, StartAt: time.Now().Add(time.Hour)})
	if res != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while waiting: %v, %v", res, err)
	}
}
