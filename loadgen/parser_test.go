package loadgen

import (
	"math/rand/v2"
	"strings"
	"testing"
)

type parsed struct {
	status int
	close  bool
}

// parseAll feeds the parts to one parser in order and returns the responses it completed,
// whether it called the stream bad, and whether a response was still in progress.
func parseAll(parts []string, eof bool) (got []parsed, isBad, busy bool) {
	var p respParser
	for _, part := range parts {
		b := []byte(part)
		for len(b) > 0 {
			used, r := p.parse(b)
			if used < 0 || used > len(b) || (r == needMore && used != len(b)) {
				panic("parse used a bad count")
			}
			b = b[used:]
			switch r {
			case bad:
				return got, true, false
			case complete:
				got = append(got, parsed{p.Status(), p.Close()})
			}
		}
	}
	if eof && p.untilClose() {
		if p.eof() == complete {
			got = append(got, parsed{p.Status(), p.Close()})
		}
	}
	return got, false, p.busy()
}

var parserCases = []struct {
	name string
	in   string
	want []parsed
	bad  bool
	eof  bool // the stream ends with the connection's close
}{
	{name: "hello", in: helloResponse, want: []parsed{{200, false}}},
	{name: "nginx", in: nginxLikeResponse, want: []parsed{{200, false}}},
	{name: "two pipelined", in: helloResponse + withBody(404, "nope"), want: []parsed{{200, false}, {404, false}}},
	{name: "close", in: "HTTP/1.1 503 Busy\r\nconnection: Close\r\ncontent-length: 2\r\n\r\nno", want: []parsed{{503, true}}},
	{name: "close among tokens", in: "HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n", want: []parsed{{200, true}}},
	{name: "closed is not close", in: "HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n", want: []parsed{{200, false}}},
	{name: "close no space", in: "HTTP/1.1 200 OK\r\nConnection:close\r\nContent-Length: 0\r\n\r\n", want: []parsed{{200, true}}},
	{name: "close after keep-alive", in: "HTTP/1.1 200 OK\nConnection: keep-alive,CLOSE\nContent-Length: 0\n\n", want: []parsed{{200, true}}},
	{name: "CR inside a token", in: "HTTP/1.1 200 OK\r\nConnection: clo\rse\r\nContent-Length: 0\r\n\r\n", want: []parsed{{200, true}}},
	{name: "long token", in: "HTTP/1.1 200 OK\r\nConnection: " + strings.Repeat("x", 300) + "close\r\nContent-Length: 0\r\n\r\n", want: []parsed{{200, false}}},
	{name: "chunked not last", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw", want: []parsed{{200, true}}, eof: true},
	{name: "unknown header without colon", in: "HTTP/1.1 200 OK\r\nX-Odd\r\nContent-Length: 0\r\n\r\n", want: []parsed{{200, false}}},
	{name: "http/1.0 closes", in: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", want: []parsed{{200, true}}},
	{name: "http/1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", want: []parsed{{200, false}}},
	{name: "chunked", in: chunkedHello + helloResponse, want: []parsed{{200, false}, {200, false}}},
	{name: "chunked over length", in: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n", want: []parsed{{200, false}}},
	{name: "chunked upper hex", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", want: []parsed{{200, false}}},
	{name: "bare LF", in: "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", want: []parsed{{200, false}}},
	{name: "length white space", in: "HTTP/1.1 200 OK\r\nContent-Length:  3 \r\n\r\nabc", want: []parsed{{200, false}}},
	{name: "no reason", in: "HTTP/1.1 204\r\n\r\n", want: []parsed{{204, false}}},
	{name: "304 no body", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n" + helloResponse, want: []parsed{{304, false}, {200, false}}},
	{name: "interim 100", in: "HTTP/1.1 100 Continue\r\n\r\n" + helloResponse, want: []parsed{{200, false}}},
	{name: "until close", in: "HTTP/1.1 200 OK\r\n\r\nall of it", want: []parsed{{200, true}}, eof: true},
	{name: "not http", in: "garbage\r\n\r\n", bad: true},
	{name: "bad version", in: "HTTP/2.0 200 OK\r\n\r\n", bad: true},
	{name: "short status", in: "HTTP/1.1 20 OK\r\n\r\n", bad: true},
	{name: "status letters", in: "HTTP/1.1 2x0 OK\r\n\r\n", bad: true},
	{name: "status too long", in: "HTTP/1.1 2000 OK\r\n\r\n", bad: true},
	{name: "bad length", in: "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", bad: true},
	{name: "empty length", in: "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", bad: true},
	{name: "split length", in: "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", bad: true},
	{name: "two lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", bad: true},
	{name: "bad chunk size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", bad: true},
	{name: "chunk without CRLF", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy", bad: true},
	{name: "folded header", in: "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", bad: true},
	{name: "name without colon", in: "HTTP/1.1 200 OK\r\nContent-Length\r\n\r\n", bad: true},
	{name: "endless head", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", maxHead) + "\r\n\r\n", bad: true},
}

// TestParserWholeByteByByteAndRandomSplits: every case gives the same outcome whether it
// arrives in one piece, one byte at a time, or in random pieces.
func TestParserWholeByteByByteAndRandomSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range parserCases {
		splits := map[string][]string{"whole": {tc.in}, "bytes": strings.Split(tc.in, "")}
		for k := range 20 {
			splits["random"+string(rune('a'+k))] = randomSplit(rng, tc.in)
		}
		for how, parts := range splits {
			got, isBad, busy := parseAll(parts, tc.eof)
			if isBad != tc.bad {
				t.Fatalf("%s (%s): bad = %v, want %v (got %v)", tc.name, how, isBad, tc.bad, got)
			}
			if tc.bad {
				continue
			}
			if len(got) != len(tc.want) || busy {
				t.Fatalf("%s (%s): got %v (busy %v), want %v", tc.name, how, got, busy, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("%s (%s): response %d = %v, want %v", tc.name, how, i, got[i], tc.want[i])
				}
			}
		}
	}
}

func randomSplit(rng *rand.Rand, s string) []string {
	var parts []string
	for len(s) > 0 {
		n := 1 + rng.IntN(min(len(s), 12))
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return parts
}

// TestParserIncompleteIsBusy: a response cut anywhere before its end is not complete.
func TestParserIncompleteIsBusy(t *testing.T) {
	for _, resp := range []string{helloResponse, chunkedHello} {
		for cut := 1; cut < len(resp); cut++ {
			got, isBad, busy := parseAll([]string{resp[:cut]}, false)
			if len(got) != 0 || isBad || !busy {
				t.Fatalf("%q cut at %d: got %v bad %v busy %v; want nothing yet", resp, cut, got, isBad, busy)
			}
		}
	}
}

// TestParserLargeBodySkipped: a body is skipped by count, not scanned.
func TestParserLargeBodySkipped(t *testing.T) {
	body := strings.Repeat("\r\n\r\nHTTP/1.1 500 X\r\n", 10000)
	got, isBad, _ := parseAll([]string{withBody(200, body) + helloResponse}, false)
	if isBad || len(got) != 2 || got[0].status != 200 || got[1].status != 200 {
		t.Fatalf("got %v bad %v", got, isBad)
	}
}

// TestParserZeroAllocs pins the parser at no allocation per response.
func TestParserZeroAllocs(t *testing.T) {
	b := []byte(helloResponse + chunkedHello)
	var p respParser
	allocs := testing.AllocsPerRun(1000, func() {
		for rest := b; len(rest) > 0; {
			used, _ := p.parse(rest)
			rest = rest[used:]
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run, want 0", allocs)
	}
}

// BenchmarkParse is the parser alone on one response, whole.
func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct{ name, resp string }{{"hello", helloResponse}, {"nginx", nginxLikeResponse}, {"chunked", chunkedHello}} {
		b.Run(tc.name, func(b *testing.B) {
			buf := []byte(tc.resp)
			var p respParser
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, r := p.parse(buf); r != complete {
					b.Fatal("incomplete")
				}
			}
		})
	}
}

const nginxLikeResponse = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 20:00:00 GMT\r\n" +
	"Content-Type: text/plain\r\nContent-Length: 14\r\nConnection: keep-alive\r\n\r\nHello, World!\n"
