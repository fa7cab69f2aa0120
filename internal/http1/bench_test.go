package http1

import (
	"bytes"
	"testing"
)

// wrkGET is the request wrk sends by default, with a path.
var wrkGET = []byte("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\n\r\n")

func BenchmarkParseGET(b *testing.B) {
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(wrkGET)))
	for b.Loop() {
		if _, err := Parse(wrkGET, &req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePipelined16(b *testing.B) {
	buf := bytes.Repeat(wrkGET, 16)
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		off := 0
		for off < len(buf) {
			n, err := Parse(buf[off:], &req)
			if err != nil {
				b.Fatal(err)
			}
			off += n
		}
	}
}

func BenchmarkAppendHead(b *testing.B) {
	h := Head{Status: 200, ContentType: "text/plain", ContentLength: 13, KeepAlive: true, Minor: 1}
	out := AppendHead(nil, h)
	b.ReportAllocs()
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		out = AppendHead(out[:0], h)
	}
}

// chunkedPOST is a chunked upload as curl sends one: a head, 4 KiB in two chunks, the
// last chunk.
var chunkedPOST = []byte("POST /hello HTTP/1.1\r\nHost: localhost:8080\r\nTransfer-Encoding: chunked\r\n\r\n" +
	"800\r\n" + string(bytes.Repeat([]byte("a"), 2048)) + "\r\n" +
	"800\r\n" + string(bytes.Repeat([]byte("b"), 2048)) + "\r\n0\r\n\r\n")

func BenchmarkParseChunked(b *testing.B) {
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(chunkedPOST)))
	for b.Loop() {
		if n, err := Parse(chunkedPOST, &req); err != nil || n != len(chunkedPOST) {
			b.Fatal(n, err)
		}
	}
}
