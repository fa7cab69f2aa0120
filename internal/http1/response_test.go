package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"
)

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
		want: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n",
	},
	{
		name: "200 keep-alive HTTP/1.0",
		head: Head{Status: 200, ContentType: "text/plain", ContentLength: 13, KeepAlive: true, Minor: 0},
		want: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\n",
	},
	{
		name:      "200 close HTTP/1.1",
		head:      Head{Status: 200, ContentType: "application/json", ContentLength: 2, KeepAlive: false, Minor: 1},
		want:      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
		wantClose: true,
	},
	{
		name:      "200 close HTTP/1.0",
		head:      Head{Status: 200, ContentLength: 0, KeepAlive: false, Minor: 0},
		want:      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		wantClose: true,
	},
	{
		name: "405 with Allow",
		head: Head{Status: 405, ContentLength: 0, KeepAlive: true, Minor: 1, Allow: "GET, HEAD"},
		want: "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nAllow: GET, HEAD\r\n\r\n",
	},
	{
		name: "404 without content type",
		head: Head{Status: 404, ContentLength: 10, KeepAlive: true, Minor: 1},
		want: "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n",
	},
}

// body returns n bytes to send after a head announcing Content-Length n.
func body(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }

func TestAppendHead(t *testing.T) {
	for _, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(AppendHead(nil, tc.head)); got != tc.want {
				t.Fatalf("AppendHead:\n got %q\nwant %q", got, tc.want)
			}
			prefix := []byte("earlier response bytes")
			got := AppendHead(prefix, tc.head)
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
	const want = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n" +
		"Content-Length: 12\r\nConnection: close\r\n\r\nBad Request\n"
	got := AppendError(nil, 400)
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
