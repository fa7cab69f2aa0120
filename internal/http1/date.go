package http1

import (
	"sync"
	"sync/atomic"
	"time"
)

// TimeFormat is the IMF-fixdate layout of the Date header (net/http's TimeFormat).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// DateLen is the length of an IMF-fixdate.
const DateLen = len(TimeFormat)

var (
	date      atomic.Pointer[[DateLen]byte]
	dateStart sync.Once
)

// Date is the current time as an IMF-fixdate, the value of the Date header. As nginx
// does, it is formatted once a second, not per response: a goroutine started on the
// first call formats it at each second boundary, and callers share the result, which is
// never modified, without locking or allocating. The caller must not modify it either.
func Date() *[DateLen]byte {
	if d := date.Load(); d != nil {
		return d
	}
	dateStart.Do(func() {
		date.Store(formatDate(time.Now()))
		go tickDate()
	})
	return date.Load()
}

// tickDate refreshes the date just after each second boundary, for the process's life.
func tickDate() {
	for {
		time.Sleep(untilNextSecond(time.Now()))
		date.Store(formatDate(time.Now()))
	}
}

// untilNextSecond is how long from now until the wall clock's next whole second.
func untilNextSecond(now time.Time) time.Duration {
	return time.Second - time.Duration(now.Nanosecond())
}

// formatDate formats t as an IMF-fixdate into a new array (each second's is kept by
// whoever loaded it, so it is never written again).
func formatDate(t time.Time) *[DateLen]byte {
	d := new([DateLen]byte)
	t.UTC().AppendFormat(d[:0], TimeFormat)
	return d
}
