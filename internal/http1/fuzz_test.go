package http1

import (
	"bytes"
	"testing"
)

// FuzzParse checks Parse's contract on arbitrary bytes: it never panics, never writes to
// its input, and every outcome (a request, ErrIncomplete, or a refusal) is self-consistent.
func FuzzParse(f *testing.F) {
	for _, tc := range validCases {
		f.Add([]byte(tc.raw))
	}
	for _, tc := range invalidCases {
		f.Add([]byte(tc.raw))
	}
	pipelined, _ := pipeline(3)
	f.Add(pipelined)
	f.Add([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next HT"))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nshort"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		var req Request
		n, err := Parse(data, &req)
		if !bytes.Equal(data, orig) {
			t.Fatalf("Parse modified its input")
		}
		switch e, isRefusal := err.(*Error); {
		case err == nil:
			checkParsed(t, data, n, &req)
			checkStandsAlone(t, data, n, &req)
			checkPrefixesIncomplete(t, data[:n])
		case err == ErrIncomplete:
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
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 || n != end+4+req.ContentLength {
		t.Fatalf("n = %d, head end %d, Content-Length %d", n, end, req.ContentLength)
	}
	if end+4 > MaxHeadBytes || req.ContentLength < 0 || req.ContentLength > MaxBodyBytes {
		t.Fatalf("limits exceeded: head %d, body %d", end+4, req.ContentLength)
	}
	if len(req.Body) != req.ContentLength || !bytes.Equal(req.Body, data[end+4:n]) {
		t.Fatalf("body %q, Content-Length %d", req.Body, req.ContentLength)
	}
	if len(req.Method) == 0 || len(req.Path) == 0 {
		t.Fatalf("empty method %q or path %q", req.Method, req.Path)
	}
	if req.Path[0] != '/' && string(req.Path) != "*" {
		t.Fatalf("path %q neither origin-form nor *", req.Path)
	}
	target := string(req.Path)
	if req.Query != nil {
		target += "?" + string(req.Query)
	}
	if target != string(req.Target) {
		t.Fatalf("target %q != path %q + query %q", req.Target, req.Path, req.Query)
	}
	if req.Minor != 0 && req.Minor != 1 {
		t.Fatalf("minor version %d", req.Minor)
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
	headLen := bytes.Index(whole, []byte("\r\n\r\n")) + 4
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
