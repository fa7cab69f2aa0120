package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fixedDate is the Date the exact-bytes tests format heads with, and fixedSD the Server
// and Date header lines that go with it.
var fixedDate = formatDate(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)))

const fixedSD = "Server: bench\r\nDate: Fri, 02 Jan 2026 02:04:05 GMT\r\n"

type headCase struct {
	name      string
	head      Head
	want      string
	wantClose bool // what net/http must conclude about the connection
}

var headCases = []headCase{
	{
		name: "200 keep-alive HTTP/1.1",
		head: Head{Status: 200, ContentType: "text/plain", ContentLength: 13, KeepAlive: true, Minor: 1},
		want: "HTTP/1.1 200 OK\r\n" + fixedSD + "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n",
	},
	{
		name: "200 keep-alive HTTP/1.0",
		head: Head{Status: 200, ContentType: "text/plain", ContentLength: 13, KeepAlive: true, Minor: 0},
		want: "HTTP/1.1 200 OK\r\n" + fixedSD + "Content-Type: text/plain\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\n",
	},
	{
		name:      "200 close HTTP/1.1",
		head:      Head{Status: 200, ContentType: "application/json", ContentLength: 2, KeepAlive: false, Minor: 1},
		want:      "HTTP/1.1 200 OK\r\n" + fixedSD + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
		wantClose: true,
	},
	{
		name:      "200 close HTTP/1.0",
		head:      Head{Status: 200, ContentLength: 0, KeepAlive: false, Minor: 0},
		want:      "HTTP/1.1 200 OK\r\n" + fixedSD + "Content-Length: 0\r\nConnection: close\r\n\r\n",
		wantClose: true,
	},
	{
		name: "405 with Allow",
		head: Head{Status: 405, ContentLength: 0, KeepAlive: true, Minor: 1, Allow: "GET, HEAD"},
		want: "HTTP/1.1 405 Method Not Allowed\r\n" + fixedSD + "Content-Length: 0\r\nAllow: GET, HEAD\r\n\r\n",
	},
	{
		name: "404 without content type",
		head: Head{Status: 404, ContentLength: 10, KeepAlive: true, Minor: 1},
		want: "HTTP/1.1 404 Not Found\r\n" + fixedSD + "Content-Length: 10\r\n\r\n",
	},
}

// body returns n bytes to send after a head announcing Content-Length n.
func body(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }

func TestAppendHead(t *testing.T) {
	for _, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(appendHead(nil, tc.head, fixedDate)); got != tc.want {
				t.Fatalf("appendHead:\n got %q\nwant %q", got, tc.want)
			}
			prefix := []byte("earlier response bytes")
			got := appendHead(prefix, tc.head, fixedDate)
			if string(got) != string(prefix)+tc.want {
				t.Fatalf("AppendHead did not append after existing bytes: %q", got)
			}
		})
	}
}

// TestAppendHeadIsValidHTTP reads each head (and its body) back with net/http.
func TestAppendHeadIsValidHTTP(t *testing.T) {
	for _, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			wire := append(AppendHead(nil, tc.head), body(tc.head.ContentLength)...)
			resp, rest := readResponse(t, wire, "GET")
			if resp.StatusCode != tc.head.Status || resp.ContentLength != int64(tc.head.ContentLength) {
				t.Errorf("status %d length %d, want %d %d",
					resp.StatusCode, resp.ContentLength, tc.head.Status, tc.head.ContentLength)
			}
			if resp.Close != tc.wantClose {
				t.Errorf("resp.Close = %v, want %v", resp.Close, tc.wantClose)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.head.ContentType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.head.ContentType)
			}
			if allow := resp.Header.Get("Allow"); allow != tc.head.Allow {
				t.Errorf("Allow = %q, want %q", allow, tc.head.Allow)
			}
			if rest != 0 {
				t.Errorf("%d bytes left after the response", rest)
			}
		})
	}
}

// readResponse parses one response from wire, reads its body whole, and returns it with
// the number of bytes of wire it did not use.
func readResponse(t *testing.T, wire []byte, method string) (*http.Response, int) {
	t.Helper()
	r := bytes.NewReader(wire)
	br := bufio.NewReader(r)
	req, err := http.NewRequest(method, "http://h/", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("http.ReadResponse(%q): %v", wire, err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	if method == "HEAD" && len(b) != 0 {
		t.Fatalf("HEAD response with a %d-byte body", len(b))
	}
	if method != "HEAD" && int64(len(b)) != resp.ContentLength {
		t.Fatalf("body %d bytes, Content-Length %d", len(b), resp.ContentLength)
	}
	resp.Body.Close()
	return resp, br.Buffered() + r.Len()
}

func TestAppendError400(t *testing.T) {
	const want = "HTTP/1.1 400 Bad Request\r\n" + fixedSD + "Content-Type: text/plain\r\n" +
		"Content-Length: 12\r\nConnection: close\r\n\r\nBad Request\n"
	got := withFixedDate(t, AppendError(nil, 400))
	if string(got) != want {
		t.Fatalf("AppendError(400):\n got %q\nwant %q", got, want)
	}
}

// TestAppendErrorIsValidHTTP reads every refusal status back with net/http: a closing
// response whose body is the reason phrase and a newline.
func TestAppendErrorIsValidHTTP(t *testing.T) {
	for _, status := range []int{400, 404, 405, 413, 431, 500, 501, 503, 505} {
		wire := AppendError([]byte("prefix"), status)[len("prefix"):]
		br := bufio.NewReader(bytes.NewReader(wire))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%d: http.ReadResponse: %v", status, err)
		}
		b, _ := io.ReadAll(resp.Body)
		wantBody := StatusText(status) + "\n"
		if resp.StatusCode != status || string(b) != wantBody || !resp.Close ||
			resp.ContentLength != int64(len(wantBody)) {
			t.Errorf("%d: got status %d body %q close %v length %d", status,
				resp.StatusCode, b, resp.Close, resp.ContentLength)
		}
		if want := strconv.Itoa(status) + " " + StatusText(status); resp.Status != want {
			t.Errorf("%d: status line %q, want %q", status, resp.Status, want)
		}
		if br.Buffered() != 0 {
			t.Errorf("%d: %d bytes after the body", status, br.Buffered())
		}
	}
}

// TestPipelinedResponses writes several answers into one buffer, as a server answering a
// pipeline does, and reads them back in order.
func TestPipelinedResponses(t *testing.T) {
	var wire []byte
	for _, tc := range headCases {
		wire = AppendHead(wire, tc.head)
		wire = append(wire, body(tc.head.ContentLength)...)
	}
	wire = AppendError(wire, 431)
	br := bufio.NewReader(bytes.NewReader(wire))
	for i, tc := range headCases {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.head.Status || len(b) != tc.head.ContentLength {
			t.Fatalf("response %d: status %d body %d", i, resp.StatusCode, len(b))
		}
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 431 || !resp.Close {
		t.Fatalf("final 431: %v, %v", resp, err)
	}
}

func TestHeadResponseToHEAD(t *testing.T) {
	// A HEAD answer announces the GET body's length but carries no body.
	wire := AppendHead(nil, Head{Status: 200, ContentType: "text/plain", ContentLength: 13, KeepAlive: true, Minor: 1})
	resp, rest := readResponse(t, wire, "HEAD")
	if resp.ContentLength != 13 || rest != 0 {
		t.Fatalf("HEAD: length %d, %d bytes left", resp.ContentLength, rest)
	}
}

func TestStatusText(t *testing.T) {
	for status, want := range map[int]string{
		200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
		413: "Content Too Large", 431: "Request Header Fields Too Large",
		500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
		505: "HTTP Version Not Supported", 299: "Unknown",
	} {
		if got := StatusText(status); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", status, got, want)
		}
	}
}

var dateLine = regexp.MustCompile("\r\nDate: ([^\r\n]*)\r\n")

// withFixedDate checks that wire has one Date header within a few seconds of now and
// replaces its value with fixedDate's, for an exact comparison.
func withFixedDate(t *testing.T, wire []byte) []byte {
	t.Helper()
	m := dateLine.FindAllSubmatchIndex(wire, -1)
	if len(m) != 1 {
		t.Fatalf("%d Date headers in %q", len(m), wire)
	}
	checkDate(t, string(wire[m[0][2]:m[0][3]]))
	return slices.Concat(wire[:m[0][2]], fixedDate[:], wire[m[0][3]:])
}

// checkDate checks a Date value: an IMF-fixdate within a few seconds of now.
func checkDate(t *testing.T, v string) {
	t.Helper()
	d, err := http.ParseTime(v)
	if err != nil || len(v) != DateLen {
		t.Fatalf("Date %q: %v", v, err)
	}
	if off := time.Since(d); off < -2*time.Second || off > 3*time.Second {
		t.Fatalf("Date %q is %v from now", v, off)
	}
}

// TestAppendHeadDate: AppendHead sends Server and the current Date, before the other
// headers.
func TestAppendHeadDate(t *testing.T) {
	h := Head{Status: 200, ContentType: "text/plain", ContentLength: 13, KeepAlive: true, Minor: 1}
	got := withFixedDate(t, AppendHead(nil, h))
	if want := appendHead(nil, h, fixedDate); !bytes.Equal(got, want) {
		t.Fatalf("AppendHead:\n got %q\nwant %q", got, want)
	}
}

func TestFormatDate(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), "Sun, 06 Nov 1994 08:49:37 GMT"},
		{time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), "Thu, 31 Dec 2026 23:59:59 GMT"},
		{time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("", 3600)), "Thu, 31 Dec 2026 23:30:00 GMT"},
	} {
		if got := string(formatDate(tc.t)[:]); got != tc.want {
			t.Errorf("formatDate(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestUntilNextSecond(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 7, 0, time.UTC)
	for _, tc := range []struct{ ns, want time.Duration }{
		{0, time.Second}, {1, time.Second - 1}, {250 * time.Millisecond, 750 * time.Millisecond},
		{time.Second - 1, 1},
	} {
		if got := untilNextSecond(base.Add(tc.ns)); got != tc.want {
			t.Errorf("untilNextSecond(+%v) = %v, want %v", tc.ns, got, tc.want)
		}
	}
}

// TestDateConcurrent: many goroutines format heads at once, as a server's threads or
// loops do, without allocating; under -race this also checks the sharing is safe.
func TestDateConcurrent(t *testing.T) {
	h := Head{Status: 200, ContentLength: 13, KeepAlive: true, Minor: 1}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			out := make([]byte, 0, 256)
			for range 2000 {
				out = AppendHead(out[:0], h)
			}
		})
	}
	out := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(1000, func() { out = AppendHead(out[:0], h) })
	wg.Wait()
	if allocs != 0 {
		t.Fatalf("AppendHead: %v allocs per response, want 0", allocs)
	}
	withFixedDate(t, out)
}

func TestAppendContinue(t *testing.T) {
	if got := string(AppendContinue([]byte("x"))); got != "xHTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("AppendContinue = %q", got)
	}
}
