package http1

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// parsed is a comparable copy of a Request (its slices turned into strings).
type parsed struct {
	Method, Target, Path, Query string
	Minor                       int
	KeepAlive                   bool
	Chunked                     bool
	ContentLength               int
	Body                        string
	ExpectContinue              bool
}

func snapshot(r *Request) parsed {
	return parsed{
		Method: string(r.Method), Target: string(r.Target),
		Path: string(r.Path), Query: string(r.Query),
		Minor: r.Minor, KeepAlive: r.KeepAlive, Chunked: r.Chunked,
		ContentLength: r.ContentLength, Body: string(r.Body), ExpectContinue: r.ExpectContinue,
	}
}

type validCase struct {
	name string
	raw  string
	want parsed
}

type invalidCase struct {
	name string
	raw  string
	want *Error
}

// get11 is a keep-alive HTTP/1.1 GET of target with no body.
func get11(method, target, path, query string) parsed {
	return parsed{Method: method, Target: target, Path: path, Query: query, Minor: 1, KeepAlive: true}
}

// post11 is a keep-alive HTTP/1.1 request to path with a Content-Length body.
func post11(method, path, body string) parsed {
	return parsed{Method: method, Target: path, Path: path, Minor: 1, KeepAlive: true,
		ContentLength: len(body), Body: body}
}

// headOfSize returns a valid HTTP/1.1 GET head exactly size bytes long (blank line included).
func headOfSize(size int) string {
	const prefix, suffix = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ", "\r\n\r\n"
	return prefix + strings.Repeat("p", size-len(prefix)-len(suffix)) + suffix
}

// validCases and invalidCases are every case the table tests run: these, and those of
// RFC 9112's less common forms (rfc_test.go).
var (
	validCases   = slices.Concat(basicValidCases, rfcValidCases)
	invalidCases = slices.Concat(basicInvalidCases, rfcInvalidCases)
)

var basicValidCases = []validCase{
	{"simple GET", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", get11("GET", "/", "/", "")},
	{"GET with query", "GET /search?q=go&x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
		get11("GET", "/search?q=go&x=1", "/search", "q=go&x=1")},
	{"GET with empty query", "GET /p? HTTP/1.1\r\nHost: h\r\n\r\n", get11("GET", "/p?", "/p", "")},
	{"HEAD", "HEAD /index.html HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
		get11("HEAD", "/index.html", "/index.html", "")},
	{"OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", get11("OPTIONS", "*", "*", "")},
	{"POST with body", "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
		post11("POST", "/submit", "hello world")},
	{"POST body holding CRLFCRLF and NUL", "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\na\r\n\r\n\x00b",
		post11("POST", "/b", "a\r\n\r\n\x00b")},
	{"POST empty body", "POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
		post11("POST", "/e", "")},
	{"equal duplicate Content-Length", "PUT /d HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\ncontent-length: 003\r\n\r\nabc",
		post11("PUT", "/d", "abc")},
	{"HTTP/1.0", "GET /old HTTP/1.0\r\n\r\n", parsed{Method: "GET", Target: "/old", Path: "/old"}},
	{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		parsed{Method: "GET", Target: "/", Path: "/", KeepAlive: true}},
	{"HTTP/1.0 keep-alive option in list", "GET / HTTP/1.0\r\nconnection: foo, keep-alive\r\n\r\n",
		parsed{Method: "GET", Target: "/", Path: "/", KeepAlive: true}},
	{"HTTP/1.1 Connection: close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		parsed{Method: "GET", Target: "/", Path: "/", Minor: 1}},
	{"HTTP/1.1 CONNECTION: Close", "GET / HTTP/1.1\r\nHost: h\r\nCONNECTION: Close\r\n\r\n",
		parsed{Method: "GET", Target: "/", Path: "/", Minor: 1}},
	{"close wins over keep-alive", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n",
		parsed{Method: "GET", Target: "/", Path: "/", Minor: 1}},
	{"HTTP/1.1 connection: foo, keep-alive", "GET / HTTP/1.1\r\nHost: h\r\nconnection: foo, keep-alive\r\n\r\n",
		get11("GET", "/", "/", "")},
	{"upper-case header names, OWS", "POST /u HTTP/1.1\r\nHOST:h\r\nCONTENT-LENGTH:\t 2 \t\r\nX-Empty:\r\n\r\nok",
		post11("POST", "/u", "ok")},
	{"head of exactly MaxHeadBytes", headOfSize(MaxHeadBytes), get11("GET", "/", "/", "")},
}

// tooLargeHead is an unterminated head longer than MaxHeadBytes.
var tooLargeHead = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", MaxHeadBytes+100)

var basicInvalidCases = []invalidCase{
	{"head over 8 KiB without end", tooLargeHead, ErrHeadTooLarge},
	{"head over 8 KiB with end", headOfSize(MaxHeadBytes + 1), ErrHeadTooLarge},
	{"Content-Length over 1 MiB", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n", ErrBodyTooLarge},
	{"Content-Length of 11 digits", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n\r\n", ErrBodyTooLarge},
	{"request line without target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"request line without version", "GET /\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"request line method only", "GET\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"empty request line", "\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"double space in request line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"leading space in request line", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"trailing space in request line", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", ErrRequestLine},
	{"target not starting with slash", "GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"method not a token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", ErrVersion},
	{"HTTP/3.0", "GET / HTTP/3.0\r\n\r\n", ErrVersion},
	{"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", ErrHeaderLine},
	{"header without colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n", ErrHeaderLine},
	{"empty header name", "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", ErrHeaderLine},
	{"obsolete folding with space", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n", ErrHeaderLine},
	{"obsolete folding with tab", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\tx: 2\r\n\r\n", ErrHeaderLine},
	{"control byte in value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n", ErrHeaderLine},
	{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", ErrHeaderLine},
	{"bare LF everywhere", "GET / HTTP/1.1\nHost: h\n\n", ErrBareLF},
	{"bare LF after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", ErrBareLF},
	{"bare LF after a header", "GET / HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n", ErrBareLF},
	{"NUL in header value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n", ErrNUL},
	{"NUL in header name", "GET / HTTP/1.1\r\nHost: h\r\nX\x00A: 1\r\n\r\n", ErrNUL},
	{"NUL in target", "GET /a\x00b HTTP/1.1\r\nHost: h\r\n\r\n", ErrNUL},
	{"NUL in method", "G\x00T / HTTP/1.1\r\nHost: h\r\n\r\n", ErrNUL},
	{"Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", ErrLengthAndChunked},
	{"Transfer-Encoding and Content-Length", "POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n", ErrLengthAndChunked},
	{"negative Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", ErrContentLength},
	{"non-numeric Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", ErrContentLength},
	{"signed Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", ErrContentLength},
	{"empty Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", ErrContentLength},
	{"Content-Length list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello", ErrContentLength},
	{"conflicting Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", ErrContentLength},
	{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", ErrHost},
	{"HTTP/1.1 with two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", ErrHost},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			var req Request
			n, err := Parse([]byte(tc.raw), &req)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if n != len(tc.raw) {
				t.Errorf("n = %d, want %d", n, len(tc.raw))
			}
			if got := snapshot(&req); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if req.IsHead() != (tc.want.Method == "HEAD") {
				t.Errorf("IsHead() = %v", req.IsHead())
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			var req Request
			n, err := Parse([]byte(tc.raw), &req)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %d, %v; want *Error %d", n, err, tc.want.Status)
			}
			if e != tc.want || e.Status != tc.want.Status {
				t.Errorf("err = %v (status %d), want %v (status %d)", e, e.Status, tc.want, tc.want.Status)
			}
			if n != 0 {
				t.Errorf("n = %d on error, want 0", n)
			}
		})
	}
}

// TestErrorStatuses pins the status each refusal answers with.
func TestErrorStatuses(t *testing.T) {
	want := map[*Error]int{
		ErrHeadTooLarge: 431, ErrBodyTooLarge: 413, ErrRequestLine: 400, ErrVersion: 505,
		ErrHeaderLine: 400, ErrBareLF: 400, ErrNUL: 400, ErrContentLength: 400,
		ErrLengthAndChunked: 400, ErrTransferEncoding: 400, ErrTransferCoding: 501,
		ErrChunkedBody: 400, ErrHost: 400,
	}
	for e, status := range want {
		if e.Status != status {
			t.Errorf("%v: Status = %d, want %d", e, e.Status, status)
		}
		if !strings.HasPrefix(e.Error(), "http1: ") {
			t.Errorf("Error() = %q", e.Error())
		}
	}
}

func TestParseBodyLimit(t *testing.T) {
	head := "POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n"
	buf := []byte(head + strings.Repeat("b", MaxBodyBytes))
	var req Request
	if _, err := Parse(buf[:len(buf)-1], &req); err != ErrIncomplete {
		t.Fatalf("short body: err = %v, want ErrIncomplete", err)
	}
	n, err := Parse(buf, &req)
	if err != nil || n != len(buf) || len(req.Body) != MaxBodyBytes {
		t.Fatalf("Parse = %d, %v, body %d; want %d, nil, %d", n, err, len(req.Body), len(buf), MaxBodyBytes)
	}
}

// TestParseByteByByte feeds each valid request one byte at a time: every proper prefix is
// ErrIncomplete, and the whole gives the same request as parsing it at once.
func TestParseByteByByte(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.raw)
			var req Request
			for i := range len(buf) {
				if n, err := Parse(buf[:i:i], &req); err != ErrIncomplete {
					t.Fatalf("prefix %d/%d: Parse = %d, %v; want ErrIncomplete", i, len(buf), n, err)
				}
			}
			checkWhole(t, buf, tc.want)
		})
	}
}

func checkWhole(t *testing.T, buf []byte, want parsed) {
	t.Helper()
	var req Request
	n, err := Parse(buf, &req)
	if err != nil || n != len(buf) {
		t.Fatalf("whole: Parse = %d, %v; want %d, nil", n, err, len(buf))
	}
	if got := snapshot(&req); got != want {
		t.Fatalf("whole: got %+v, want %+v", got, want)
	}
}

// TestParseRandomSplits feeds each valid request in random chunks, as reads from a socket
// would deliver it, into one growing buffer.
func TestParseRandomSplits(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 8; seed++ {
				feedRandomly(t, tc, rand.New(rand.NewPCG(seed, seed*7919)))
			}
		})
	}
}

func feedRandomly(t *testing.T, tc validCase, rng *rand.Rand) {
	t.Helper()
	var buf []byte
	rest := []byte(tc.raw)
	maxChunk := max(1, len(rest)/3)
	for len(rest) > 0 {
		k := 1 + rng.IntN(min(len(rest), maxChunk))
		buf, rest = append(buf, rest[:k]...), rest[k:]
		var req Request
		n, err := Parse(buf, &req)
		if len(rest) > 0 {
			if err != ErrIncomplete {
				t.Fatalf("after %d/%d bytes: Parse = %d, %v; want ErrIncomplete", len(buf), len(tc.raw), n, err)
			}
			continue
		}
		if err != nil || n != len(buf) {
			t.Fatalf("whole: Parse = %d, %v; want %d, nil", n, err, len(buf))
		}
		if got := snapshot(&req); got != tc.want {
			t.Fatalf("got %+v, want %+v", got, tc.want)
		}
	}
}

// TestParseInvalidPrefixes checks that a refusal does not depend on how the bytes arrive:
// each prefix is either ErrIncomplete or the final error, never success or another error.
// Of a case over 16 KiB, every 64th prefix and the last 1024 are checked.
func TestParseInvalidPrefixes(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.raw)
			var req Request
			step := 1
			if len(buf) > 16<<10 {
				step = 64
			}
			for i := 0; i <= len(buf); i++ {
				if i%step != 0 && i < len(buf)-1024 {
					continue
				}
				n, err := Parse(buf[:i:i], &req)
				if err == ErrIncomplete {
					continue
				}
				if err != tc.want {
					t.Fatalf("prefix %d/%d: Parse = %d, %v; want ErrIncomplete or %v", i, len(buf), n, err, tc.want)
				}
			}
			if _, err := Parse(buf, &req); err != tc.want {
				t.Fatalf("whole: err = %v, want %v", err, tc.want)
			}
		})
	}
}

// pipeline returns count valid requests back to back and what each parses to.
func pipeline(count int) ([]byte, []validCase) {
	var buf []byte
	var cases []validCase
	for i := range count {
		tc := validCases[i%len(validCases)]
		buf = append(buf, tc.raw...)
		cases = append(cases, tc)
	}
	return buf, cases
}

func TestParsePipelined(t *testing.T) {
	buf, cases := pipeline(16)
	off := 0
	for i, tc := range cases {
		var req Request
		n, err := Parse(buf[off:], &req)
		if err != nil {
			t.Fatalf("request %d (%s): %v", i, tc.name, err)
		}
		if n != len(tc.raw) {
			t.Fatalf("request %d (%s): n = %d, want %d", i, tc.name, n, len(tc.raw))
		}
		if got := snapshot(&req); got != tc.want {
			t.Fatalf("request %d (%s): got %+v, want %+v", i, tc.name, got, tc.want)
		}
		off += n
	}
	if off != len(buf) {
		t.Fatalf("consumed %d bytes, want %d", off, len(buf))
	}
	var req Request
	if n, err := Parse(buf[off:], &req); err != ErrIncomplete {
		t.Fatalf("empty rest: Parse = %d, %v; want ErrIncomplete", n, err)
	}
}

func validNamed(t *testing.T, name string) validCase {
	t.Helper()
	for _, tc := range validCases {
		if tc.name == name {
			return tc
		}
	}
	t.Fatalf("no valid case %q", name)
	return validCase{}
}

// TestParsePipelinedPartial has a whole request followed by every prefix of another: the
// first parses alone and the rest is ErrIncomplete until it is whole.
func TestParsePipelinedPartial(t *testing.T) {
	first, second := validNamed(t, "POST with body"), validNamed(t, "GET with query")
	for cut := 0; cut <= len(second.raw); cut++ {
		buf := []byte(first.raw + second.raw[:cut])
		var req Request
		n, err := Parse(buf, &req)
		if err != nil || n != len(first.raw) || snapshot(&req) != first.want {
			t.Fatalf("cut %d: first = %d, %v, %+v", cut, n, err, snapshot(&req))
		}
		n2, err := Parse(buf[n:], &req)
		if cut < len(second.raw) {
			if err != ErrIncomplete {
				t.Fatalf("cut %d: second = %d, %v; want ErrIncomplete", cut, n2, err)
			}
			continue
		}
		if err != nil || n2 != len(second.raw) || snapshot(&req) != second.want {
			t.Fatalf("whole second = %d, %v, %+v", n2, err, snapshot(&req))
		}
	}
}

func TestParseZeroAllocs(t *testing.T) {
	raw := []byte("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\n\r\n")
	out := make([]byte, 0, 512)
	var req Request
	ok := true
	allocs := testing.AllocsPerRun(1000, func() {
		n, err := Parse(raw, &req)
		ok = ok && err == nil && n == len(raw) && req.KeepAlive
		out = AppendHead(out[:0], Head{Status: 200, ContentType: "text/plain",
			ContentLength: 13, KeepAlive: req.KeepAlive, Minor: req.Minor})
		out = append(out, "Hello, World!"...)
	})
	if !ok {
		t.Fatal("keep-alive GET did not parse")
	}
	if allocs != 0 {
		t.Fatalf("keep-alive GET: %v allocs per request, want 0", allocs)
	}
}

func TestRefusalZeroAllocs(t *testing.T) {
	for _, raw := range []string{
		"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\nHost: h\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n",
	} {
		buf := []byte(raw)
		out := make([]byte, 0, 512)
		var req Request
		status := 0
		allocs := testing.AllocsPerRun(1000, func() {
			_, err := Parse(buf, &req)
			e, ok := err.(*Error)
			if !ok {
				return
			}
			status = e.Status
			out = AppendError(out[:0], e.Status)
		})
		if status == 0 {
			t.Fatalf("%q: not refused", raw)
		}
		if allocs != 0 {
			t.Fatalf("%q: %v allocs per refusal, want 0", raw, allocs)
		}
	}
}
