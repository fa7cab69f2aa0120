package loadgen

import (
	"slices"
	"testing"
)

// FuzzParserSplits feeds the response parser the same bytes whole (its bulk path) and one
// byte at a time (its byte-at-a-time path) and demands the same answer: the same
// responses, the same verdict on bad input, the same "still busy". Run it with
// go test -run '^$' -fuzz FuzzParserSplits ./loadgen.
func FuzzParserSplits(f *testing.F) {
	for _, c := range parserCases {
		f.Add(c.in, c.eof)
	}
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false)
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", false)
	f.Add("HTTP/1.0 200 OK\r\n\r\nbody until close", true)
	f.Fuzz(func(t *testing.T, in string, eof bool) {
		if len(in) > 4096 {
			return
		}
		whole, wholeBad, wholeBusy := parseAll([]string{in}, eof)
		bytes := make([]string, len(in))
		for i := range in {
			bytes[i] = in[i : i+1]
		}
		each, eachBad, eachBusy := parseAll(bytes, eof)
		if !slices.Equal(whole, each) || wholeBad != eachBad || wholeBusy != eachBusy {
			t.Fatalf("%q: whole %v bad=%v busy=%v; byte by byte %v bad=%v busy=%v",
				in, whole, wholeBad, wholeBusy, each, eachBad, eachBusy)
		}
	})
}
