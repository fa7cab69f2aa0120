package http1

import (
	"bytes"
	"io"
	"net/http/httputil"
	"strings"
	"testing"
)

const maxSeed = 16 << 10

// FuzzParse checks Parse's contract on arbitrary bytes: it never panics, never writes to
// its input, and every outcome (a request, ErrIncomplete, or a refusal) is self-consistent.
func FuzzParse(f *testing.F) {
	// Seeds of up to 16 KiB: a larger one (a 1 MiB body) makes each run and each
	// minimization slow enough to stall the fuzzer; the table tests cover those.
	for _, tc := range validCases {
		if len(tc.raw) <= maxSeed {
			f.Add([]byte(tc.raw))
		}
	}
	for _, tc := range invalidCases {
		if len(tc.raw) <= maxSeed {
			f.Add([]byte(tc.raw))
		}
	}
	pipelined, _ := pipeline(3)
	f.Add(pipelined)
	f.Add([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next HT"))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nshort"))
	f.Add([]byte(""))
	f.Add([]byte("\r\n\r\nPOST http://h:1/x?y HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3;e=\"q\"\r\nabc\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"))
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		var req Request
		n, err := Parse(data, &req)
		if !bytes.Equal(data, orig) {
			t.Fatalf("Parse modified its input")
		}
		checkResumed(t, data, n, err, &req)
		switch e, isRefusal := err.(*Error); {
		case err == nil:
			checkParsed(t, data, n, &req)
			checkStandsAlone(t, data, n, &req)
			checkPrefixesIncomplete(t, data[:n])
		case err == ErrIncomplete:
			if req.ExpectContinue && bytes.Index(data, []byte("\r\n\r\n")) < 0 {
				t.Fatalf("ExpectContinue before the head is whole")
			}
			if n != 0 {
				t.Fatalf("ErrIncomplete with n = %d", n)
			}
			again := append(data[:len(data):len(data)], nil...)
			if n2, err2 := Parse(again, &req); n2 != 0 || err2 != ErrIncomplete {
				t.Fatalf("re-parse of an incomplete request: %d, %v", n2, err2)
			}
		case isRefusal:
			switch e.Status {
			case 400, 413, 431, 501, 505:
			default:
				t.Fatalf("refusal with status %d: %v", e.Status, e)
			}
			if n != 0 {
				t.Fatalf("refusal with n = %d", n)
			}
		default:
			t.Fatalf("Parse returned an error of type %T: %v", err, err)
		}
	})
}

// checkParsed checks the invariants of a successfully parsed request.
func checkParsed(t *testing.T, data []byte, n int, req *Request) {
	t.Helper()
	if n <= 0 || n > len(data) {
		t.Fatalf("n = %d out of range (len %d)", n, len(data))
	}
	headLen := headLength(data)
	if headLen < 4 || headLen > MaxHeadBytes || req.ContentLength < 0 || req.ContentLength > MaxBodyBytes {
		t.Fatalf("limits exceeded: head %d, body %d", headLen, req.ContentLength)
	}
	if req.ExpectContinue {
		t.Fatalf("ExpectContinue set on a whole request")
	}
	if req.Chunked {
		checkChunked(t, data[headLen:n], req)
	} else if n != headLen+req.ContentLength || len(req.Body) != req.ContentLength ||
		!bytes.Equal(req.Body, data[headLen:n]) {
		t.Fatalf("n = %d, head %d, Content-Length %d, body %q", n, headLen, req.ContentLength, req.Body)
	}
	if len(req.Method) == 0 || len(req.Path) == 0 {
		t.Fatalf("empty method %q or path %q", req.Method, req.Path)
	}
	if req.Path[0] != '/' && string(req.Path) != "*" {
		t.Fatalf("path %q neither origin-form nor *", req.Path)
	}
	if got, want := string(req.Path), pathOfTarget(t, req); got != want {
		t.Fatalf("target %q: path %q + query %q, want path %q", req.Target, req.Path, req.Query, want)
	}
	if req.Minor != 0 && req.Minor != 1 {
		t.Fatalf("minor version %d", req.Minor)
	}
}

// headLength is where the head that follows data's leading empty lines ends.
func headLength(data []byte) int {
	skip := 0
	for bytes.HasPrefix(data[skip:], []byte("\r\n")) {
		skip += 2
	}
	return skip + bytes.Index(data[skip:], []byte("\r\n\r\n")) + 4
}

// pathOfTarget checks that the target is Path, then "?" and Query if any, after an http
// or https authority in absolute-form, and returns the path it holds ("/" when none).
func pathOfTarget(t *testing.T, req *Request) string {
	t.Helper()
	target := string(req.Target)
	if target[0] != '/' && target != "*" {
		lower := strings.ToLower(target)
		rest, ok := strings.CutPrefix(lower, "http://")
		if !ok {
			rest, ok = strings.CutPrefix(lower, "https://")
		}
		authority := strings.IndexAny(rest, "/?")
		if authority < 0 {
			authority = len(rest)
		}
		if !ok || authority == 0 || strings.Contains(rest[:authority], "@") {
			t.Fatalf("absolute-form target %q", target)
		}
		target = target[len(target)-len(rest)+authority:]
	}
	path, query, hasQuery := strings.Cut(target, "?")
	if hasQuery != (req.Query != nil) || query != string(req.Query) {
		t.Fatalf("target %q: query %q", req.Target, req.Query)
	}
	if path == "" {
		return "/"
	}
	return path
}

// checkChunked checks a chunked body (as it was on the wire) against what net/http's
// chunked reader makes of it when that reader accepts it: it is stricter about the size
// of lines and of the overhead, and laxer about whitespace and extensions.
func checkChunked(t *testing.T, wire []byte, req *Request) {
	t.Helper()
	if req.Body != nil || !bytes.HasSuffix(wire, []byte("\r\n")) {
		t.Fatalf("chunked body %q: Body %q", wire, req.Body)
	}
	got, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(wire)))
	if err == nil && len(got) != req.ContentLength {
		t.Fatalf("chunked body %q: net/http reads %d bytes of data, Parse %d", wire, len(got), req.ContentLength)
	}
}

// checkStandsAlone checks that a request does not depend on the bytes after it.
func checkStandsAlone(t *testing.T, data []byte, n int, req *Request) {
	t.Helper()
	var alone Request
	n2, err := Parse(data[:n:n], &alone)
	if err != nil || n2 != n {
		t.Fatalf("Parse(data[:%d]) = %d, %v; want %d, nil", n, n2, err, n)
	}
	if snapshot(&alone) != snapshot(req) {
		t.Fatalf("alone %+v, with what follows %+v", snapshot(&alone), snapshot(req))
	}
}

// checkPrefixesIncomplete checks that every proper prefix of a whole request is
// ErrIncomplete, so a request arriving slowly is not refused on the way. Long requests are
// sampled (about 64 prefixes, plus the head and the request each missing one byte) to keep
// each run, and the fuzzer's minimization of long inputs, fast.
func checkPrefixesIncomplete(t *testing.T, whole []byte) {
	t.Helper()
	headLen := headLength(whole)
	step := max(1, len(whole)/64)
	var req Request
	check := func(i int) {
		if n, err := Parse(whole[:i:i], &req); err != ErrIncomplete {
			t.Fatalf("prefix %d/%d of a valid request: %d, %v", i, len(whole), n, err)
		}
	}
	for i := 0; i < len(whole); i += step {
		check(i)
	}
	check(headLen - 1)
	check(len(whole) - 1)
}

// checkResumed feeds data to ParseNext in growing prefixes through one Progress, as a
// connection reading it in pieces would, and checks the outcome is Parse's on the whole.
func checkResumed(t *testing.T, data []byte, n int, err error, req *Request) {
	t.Helper()
	step := max(1, len(data)/32) // at most 32 pieces, so long inputs stay quick to fuzz
	if len(data) > 0 {
		step += int(data[len(data)-1]) % 13
	}
	var p Progress
	var got Request
	for i := step; i < len(data); i += step {
		ParseNext(data[:i:i], &got, &p) // what is not ErrIncomplete resets p
	}
	n2, err2 := ParseNext(data, &got, &p)
	if n2 != n || err2 != err {
		t.Fatalf("resumed: %d, %v; whole: %d, %v", n2, err2, n, err)
	}
	if err == nil && snapshot(&got) != snapshot(req) {
		t.Fatalf("resumed %+v, whole %+v", snapshot(&got), snapshot(req))
	}
}
