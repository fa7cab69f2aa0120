package http1

import (
	"strings"
	"testing"
)

// chunked11 is a keep-alive HTTP/1.1 request to path with a chunked body of size bytes.
func chunked11(method, path string, size int) parsed {
	return parsed{Method: method, Target: path, Path: path, Minor: 1, KeepAlive: true,
		Chunked: true, ContentLength: size}
}

// chunkedHead is the head of a chunked POST to /c.
const chunkedHead = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"

// rfcValidCases are the forms RFC 9112 asks a server to accept that clients rarely send:
// absolute-form targets, empty lines before a request, chunked bodies.
var rfcValidCases = []validCase{
	{"absolute-form", "GET http://h/path?q HTTP/1.1\r\nHost: h\r\n\r\n",
		parsed{Method: "GET", Target: "http://h/path?q", Path: "/path", Query: "q", Minor: 1, KeepAlive: true}},
	{"absolute-form https, port, upper-case scheme", "GET HTTPS://h.example:8443/a/b HTTP/1.1\r\nHost: other\r\n\r\n",
		parsed{Method: "GET", Target: "HTTPS://h.example:8443/a/b", Path: "/a/b", Minor: 1, KeepAlive: true}},
	{"absolute-form without path", "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n",
		parsed{Method: "GET", Target: "http://h", Path: "/", Minor: 1, KeepAlive: true}},
	{"absolute-form without path, with query", "GET http://[::1]:80?x=1 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
		parsed{Method: "GET", Target: "http://[::1]:80?x=1", Path: "/", Query: "x=1", Minor: 1, KeepAlive: true}},
	{"absolute-form, IPv6 with IPv4 tail and port", "GET http://[::ffff:192.0.2.1]:8080/x HTTP/1.1\r\nHost: [2001:db8:0:0:1:0:0:1]\r\n\r\n",
		parsed{Method: "GET", Target: "http://[::ffff:192.0.2.1]:8080/x", Path: "/x", Minor: 1, KeepAlive: true}},
	{"absolute-form, IPvFuture, percent-encoded reg-name in Host", "GET http://[v1.a:b]/ HTTP/1.1\r\nHost: h%41x.example:\r\n\r\n",
		parsed{Method: "GET", Target: "http://[v1.a:b]/", Path: "/", Minor: 1, KeepAlive: true}},
	{"absolute-form HTTP/1.0", "GET http://h/old HTTP/1.0\r\n\r\n",
		parsed{Method: "GET", Target: "http://h/old", Path: "/old"}},
	{"one empty line before", "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", get11("GET", "/", "/", "")},
	{"three empty lines before", "\r\n\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n", get11("GET", "/x", "/x", "")},
	{"empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", get11("GET", "/", "/", "")},
	{"chunked", chunkedHead + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", chunked11("POST", "/c", 11)},
	{"chunked empty", chunkedHead + "0\r\n\r\n", chunked11("POST", "/c", 0)},
	{"chunked with extensions", chunkedHead + "4;name=val;flag ; q = \"a \\\"b\\\" ;c\"\r\nwiki\r\n" +
		"A\t;\text\r\n0123456789\r\n000;last=1\r\n\r\n", chunked11("POST", "/c", 14)},
	{"chunked with trailers", chunkedHead + "3\r\nabc\r\n0\r\nX-Trailer: t\r\nChecksum:\r\n\r\n",
		chunked11("POST", "/c", 3)},
	{"chunked hex sizes", chunkedHead + "00a\r\n0123456789\r\nF\r\n" + strings.Repeat("f", 15) + "\r\n0\r\n\r\n",
		chunked11("POST", "/c", 25)},
	{"chunked data holding framing", chunkedHead + "a\r\n0\r\n\r\n\x00\r\n\r\n\r\n0\r\n\r\n", chunked11("POST", "/c", 10)},
	{"Transfer-Encoding list, any case", "PUT /t HTTP/1.1\r\nHost: h\r\nTRANSFER-ENCODING: , Chunked ,\r\n\r\n1\r\nx\r\n0\r\n\r\n",
		chunked11("PUT", "/t", 1)},
	{"chunked with Connection: close", "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
		parsed{Method: "POST", Target: "/c", Path: "/c", Minor: 1, Chunked: true}},
	{"chunked body at limit", chunkedHead + "80000\r\n" + strings.Repeat("a", MaxBodyBytes/2) + "\r\n" +
		"80000\r\n" + strings.Repeat("b", MaxBodyBytes/2) + "\r\n0\r\n\r\n", chunked11("POST", "/c", MaxBodyBytes)},
}

var rfcInvalidCases = []invalidCase{
	{"absolute-form, other scheme", "GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, empty host", "GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, userinfo", "GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, no slashes", "GET http:h/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, bad host byte", "GET http://h\"/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, IPv6 without closing bracket", "GET http://[::1/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, IPv6 unclosed, no path", "GET http://[fe80::1 HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, IPv6 too few groups", "GET http://[1:2:3]/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, bytes after the bracket", "GET http://[::1]x/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, bracket in a reg-name", "GET http://h]/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, port not digits", "GET http://h:8o/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, two ports", "GET http://h:80:81/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, port without host", "GET http://:80/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"absolute-form, bad percent-encoding", "GET http://h%zz/ HTTP/1.1\r\nHost: h\r\n\r\n", ErrRequestLine},
	{"Host, IPv6 without closing bracket", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", ErrHost},
	{"Host, port not digits", "GET / HTTP/1.1\r\nHost: h:x\r\n\r\n", ErrHost},
	{"bare LF before request", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", ErrBareLF},
	{"two Hosts in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", ErrHost},
	{"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", ErrHost},
	{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", ErrHost},
	{"Host with path", "GET / HTTP/1.1\r\nHost: h/p\r\n\r\n", ErrHost},
	{"Transfer-Encoding gzip, chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrTransferCoding},
	{"Transfer-Encoding chunked, gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", ErrTransferEncoding},
	{"Transfer-Encoding gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", ErrTransferEncoding},
	{"Transfer-Encoding empty", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", ErrTransferEncoding},
	{"chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTransferEncoding},
	{"chunked with parameter", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", ErrTransferEncoding},
	{"chunked in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrTransferEncoding},
	{"chunk size not hex", chunkedHead + "zz\r\n", ErrChunkedBody},
	{"chunk size missing", chunkedHead + "\r\nabc\r\n", ErrChunkedBody},
	{"chunk size negative", chunkedHead + "-5\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk size 0x", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk size with space", chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk size before space", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk size bare LF", chunkedHead + "5\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk data too long", chunkedHead + "5\r\nhelloX\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk data bare LF", chunkedHead + "5\r\nhello\n0\r\n\r\n", ErrChunkedBody},
	{"chunk extension empty", chunkedHead + "5;\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk extension without name", chunkedHead + "5;=v\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk extension without value", chunkedHead + "5;a=\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk extension unterminated quote", chunkedHead + "5;a=\"v\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk extension bare CR", chunkedHead + "5;a\rb\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"chunk extension NUL", chunkedHead + "5;a=\"\x00\"\r\nhello\r\n0\r\n\r\n", ErrChunkedBody},
	{"last chunk without CRLF", chunkedHead + "0\r\nX\r\n\r\n", ErrHeaderLine},
	{"trailer without colon", chunkedHead + "0\r\nno colon\r\n\r\n", ErrHeaderLine},
	{"trailer with NUL", chunkedHead + "0\r\nX-T: a\x00\r\n\r\n", ErrNUL},
	{"trailer bare LF", chunkedHead + "0\r\nX-T: a\n\r\n", ErrChunkedBody},
	{"chunk over 1 MiB", chunkedHead + "100001\r\n", ErrBodyTooLarge},
	{"chunk size of 20 digits", chunkedHead + "FFFFFFFFFFFFFFFFFFFF\r\n", ErrBodyTooLarge},
	{"chunks over 1 MiB together", chunkedHead + "80000\r\n" + strings.Repeat("a", MaxBodyBytes/2) + "\r\n" +
		"80001\r\n", ErrBodyTooLarge},
	{"chunk extensions over the overhead limit", chunkedHead + "1;" + strings.Repeat("e", MaxChunkOverhead) + "\r\nx\r\n0\r\n\r\n", ErrBodyTooLarge},
	{"trailers over the overhead limit", chunkedHead + "0\r\n" + strings.Repeat("X-T: "+strings.Repeat("t", 1017)+"\r\n", MaxChunkOverhead/1024) + "\r\n", ErrBodyTooLarge},
}

// TestExpectContinue: ExpectContinue is set exactly while the head of an HTTP/1.1 request
// that asked for it is whole and its body is not.
func TestExpectContinue(t *testing.T) {
	for _, tc := range []struct {
		name, head, body string
		want             bool // ExpectContinue while the body is missing
	}{
		{"Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello", true},
		{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nEXPECT: 100-Continue\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", true},
		{"HTTP/1.0", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello", false},
		{"no Expect", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", "hello", false},
		{"other expectation", "POST / HTTP/1.1\r\nHost: h\r\nExpect: something\r\nContent-Length: 5\r\n\r\n", "hello", false},
		{"no body", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.head + tc.body
			var req Request
			for i := range len(raw) {
				_, err := Parse([]byte(raw[:i]), &req)
				want := tc.want && i >= len(tc.head)
				if err != ErrIncomplete || req.ExpectContinue != want {
					t.Fatalf("prefix %d/%d: err %v, ExpectContinue %v; want ErrIncomplete, %v",
						i, len(raw), err, req.ExpectContinue, want)
				}
			}
			n, err := Parse([]byte(raw), &req)
			if err != nil || n != len(raw) || req.ExpectContinue {
				t.Fatalf("whole: %d, %v, ExpectContinue %v", n, err, req.ExpectContinue)
			}
		})
	}
}

// TestExpectContinueResets: a request parsed after one that expected 100 Continue, into
// the same Request, does not inherit the flag.
func TestExpectContinueResets(t *testing.T) {
	var req Request
	head := "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
	if _, err := Parse([]byte(head), &req); err != ErrIncomplete || !req.ExpectContinue {
		t.Fatalf("head alone: %v, %v", err, req.ExpectContinue)
	}
	if _, err := Parse([]byte("GET / HT"), &req); err != ErrIncomplete || req.ExpectContinue {
		t.Fatalf("next, partial head: %v, ExpectContinue %v", err, req.ExpectContinue)
	}
}

// TestParseRFCZeroAllocs: the less common forms cost no allocation either.
func TestParseRFCZeroAllocs(t *testing.T) {
	for _, name := range []string{"absolute-form", "three empty lines before", "chunked with extensions",
		"chunked with trailers"} {
		buf := []byte(validNamed(t, name).raw)
		var req Request
		ok := true
		allocs := testing.AllocsPerRun(1000, func() {
			n, err := Parse(buf, &req)
			ok = ok && err == nil && n == len(buf)
		})
		if !ok || allocs != 0 {
			t.Fatalf("%s: ok %v, %v allocs per request", name, ok, allocs)
		}
	}
}
