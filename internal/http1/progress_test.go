package http1

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// connFeed plays a connection: it appends the next piece of the stream to its buffer,
// parses every whole request at its start with ParseNext (one Progress for the
// connection, as the models keep one), and drops the requests it parsed.
type connFeed struct {
	buf       []byte
	p         Progress
	got       []parsed
	continues int // ExpectContinue reports
	err       error
}

func (f *connFeed) feed(piece []byte) {
	f.buf = append(f.buf, piece...)
	for f.err == nil && len(f.buf) > 0 {
		var req Request
		n, err := ParseNext(f.buf, &req, &f.p)
		if req.ExpectContinue {
			f.continues++
		}
		if err == ErrIncomplete {
			return
		}
		if err != nil {
			f.err = err
			return
		}
		f.got = append(f.got, snapshot(&req))
		f.buf = f.buf[n:]
	}
}

// TestParseNextPipelinedSplits: every valid case back to back, fed in random pieces
// through one Progress, parses to the same requests as Parse gives for each alone.
func TestParseNextPipelinedSplits(t *testing.T) {
	var stream []byte
	for _, tc := range validCases {
		stream = append(stream, tc.raw...)
	}
	for seed := uint64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed*31))
		var f connFeed
		for rest := stream; len(rest) > 0; {
			k := 1 + rng.IntN(min(len(rest), 1+rng.IntN(4096)))
			f.feed(rest[:k])
			rest = rest[k:]
		}
		if f.err != nil || len(f.got) != len(validCases) || len(f.buf) != 0 {
			t.Fatalf("seed %d: %d requests, %d bytes left, err %v", seed, len(f.got), len(f.buf), f.err)
		}
		for i, tc := range validCases {
			if f.got[i] != tc.want {
				t.Fatalf("seed %d, %s: got %+v, want %+v", seed, tc.name, f.got[i], tc.want)
			}
		}
	}
}

// TestParseNextInvalid: an invalid request fed in pieces through ParseNext is refused
// with the error Parse gives it whole.
func TestParseNextInvalid(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(tc.raw))))
			var f connFeed
			for rest := []byte(tc.raw); len(rest) > 0 && f.err == nil; {
				k := 1 + rng.IntN(min(len(rest), 64))
				f.feed(rest[:k])
				rest = rest[k:]
			}
			if f.err != tc.want {
				t.Fatalf("err %v, want %v", f.err, tc.want)
			}
		})
	}
}

// TestParseNextContinueOnce: ExpectContinue is reported once per request however the
// body arrives, and again for the next request on the connection.
func TestParseNextContinueOnce(t *testing.T) {
	head := "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
	body := "3\r\nabc\r\n" + strings.Repeat("1\r\nx\r\n", 10) + "0\r\n\r\n"
	var f connFeed
	for range 3 {
		f.feed([]byte(head))
		for i := range len(body) {
			f.feed([]byte{body[i]})
		}
	}
	if f.err != nil || len(f.got) != 3 || f.continues != 3 {
		t.Fatalf("%d requests, %d continues, err %v; want 3, 3, nil", len(f.got), f.continues, f.err)
	}
}

// manyChunks is a chunked POST of n one-byte chunks.
func manyChunks(n int) []byte {
	return []byte(chunkedHead + strings.Repeat("1\r\nx\r\n", n) + "0\r\n\r\n")
}

// BenchmarkChunkedByteByByte feeds a body of 1000 one-byte chunks a byte at a time:
// Parse scans every chunk again on each byte, ParseNext goes on where it stopped.
func BenchmarkChunkedByteByByte(b *testing.B) {
	raw := manyChunks(1000)
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var req Request
			for i := 1; i <= len(raw); i++ {
				Parse(raw[:i], &req)
			}
		}
	})
	b.Run("ParseNext", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var req Request
			var p Progress
			for i := 1; i <= len(raw); i++ {
				ParseNext(raw[:i], &req, &p)
			}
		}
	})
}

// TestParseNextStaleProgress: a Progress from a longer request (a caller's mistake) makes
// ParseNext start the body again, not read out of bounds.
func TestParseNextStaleProgress(t *testing.T) {
	long := manyChunks(50)
	var req Request
	var p Progress
	if _, err := ParseNext(long[:len(long)-3], &req, &p); err != ErrIncomplete || p.off == 0 {
		t.Fatalf("long request: %v, progress %+v", err, p)
	}
	short := manyChunks(1)
	if n, err := ParseNext(short, &req, &p); err != nil || n != len(short) || req.ContentLength != 1 {
		t.Fatalf("short request after a stale progress: %d, %v, %+v", n, err, snapshot(&req))
	}
}
