package http1

import (
	"bytes"
	"errors"
)

// Limits every model enforces.
const (
	MaxHeadBytes = 8 << 10 // request line + headers + blank line
	MaxBodyBytes = 1 << 20 // Content-Length of a request body
)

// ErrIncomplete means the buffer does not yet hold a whole request: read more bytes and
// call Parse again with the same (grown) buffer.
var ErrIncomplete = errors.New("http1: incomplete request")

// Error is a request the server must refuse: Status is the response code, and the
// connection is closed after the response.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return "http1: " + e.Reason }

// The refusals Parse returns; preallocated so a bad request costs no allocation either.
var (
	ErrHeadTooLarge     = &Error{431, "request head larger than 8 KiB"}
	ErrBodyTooLarge     = &Error{413, "request body larger than 1 MiB"}
	ErrRequestLine      = &Error{400, "malformed request line"}
	ErrVersion          = &Error{505, "unsupported HTTP version"}
	ErrHeaderLine       = &Error{400, "malformed header line"}
	ErrBareLF           = &Error{400, "line not terminated by CRLF"}
	ErrNUL              = &Error{400, "NUL byte in request head"}
	ErrContentLength    = &Error{400, "invalid Content-Length"}
	ErrLengthAndChunked = &Error{400, "both Content-Length and Transfer-Encoding"}
	ErrChunked          = &Error{501, "Transfer-Encoding request bodies are not supported"}
	ErrHost             = &Error{400, "HTTP/1.1 request without exactly one Host header"}
)

// Request is one parsed request. Every slice points into the buffer given to Parse.
type Request struct {
	Method        []byte
	Target        []byte // request-target as sent: Path, then "?" and Query if any
	Path          []byte
	Query         []byte
	Minor         int // HTTP/1.Minor: 0 or 1
	KeepAlive     bool
	ContentLength int
	Body          []byte
}

// IsHead reports whether the request is a HEAD (the response carries no body).
func (r *Request) IsHead() bool { return string(r.Method) == "HEAD" }

var crlfcrlf = []byte("\r\n\r\n")

// Parse parses the first request in buf. It returns how many bytes the request (head and
// body) took, ErrIncomplete when buf holds only part of one, or an *Error to answer with.
func Parse(buf []byte, req *Request) (int, error) {
	end := bytes.Index(buf, crlfcrlf)
	if end < 0 {
		return 0, incompleteHeadError(buf)
	}
	headLen := end + 4
	if headLen > MaxHeadBytes {
		return 0, ErrHeadTooLarge
	}
	if bytes.IndexByte(buf[:end], 0) >= 0 {
		return 0, ErrNUL // as incompleteHeadError says for a prefix of this head
	}
	*req = Request{}
	line, rest := cutLine(buf[:end+2])
	if err := parseRequestLine(line, req); err != nil {
		return 0, err
	}
	if err := parseHeaders(rest, req); err != nil {
		return 0, err
	}
	total := headLen + req.ContentLength
	if len(buf) < total {
		return 0, ErrIncomplete
	}
	req.Body = buf[headLen:total:total]
	return total, nil
}

// incompleteHeadError says why a head without its blank line cannot become a request, or
// ErrIncomplete when more bytes may complete it.
func incompleteHeadError(buf []byte) error {
	if len(buf) >= MaxHeadBytes {
		return ErrHeadTooLarge
	}
	if bytes.IndexByte(buf, 0) >= 0 {
		return ErrNUL
	}
	for i := bytes.IndexByte(buf, '\n'); i >= 0; {
		if i == 0 || buf[i-1] != '\r' {
			return ErrBareLF
		}
		j := bytes.IndexByte(buf[i+1:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return ErrIncomplete
}

// cutLine splits b after its first CRLF; line excludes the CRLF.
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

func parseRequestLine(line []byte, req *Request) error {
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return ErrBareLF
	}
	line = line[:len(line)-1]
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return ErrRequestLine
	}
	sp2 := bytes.IndexByte(line[sp1+1:], ' ')
	if sp2 <= 0 {
		return ErrRequestLine
	}
	sp2 += sp1 + 1
	req.Method, req.Target = line[:sp1], line[sp1+1:sp2]
	if !isToken(req.Method) || !validTarget(req.Target) {
		return ErrRequestLine
	}
	version := line[sp2+1:]
	switch string(version) {
	case "HTTP/1.1":
		req.Minor, req.KeepAlive = 1, true
	case "HTTP/1.0":
		req.Minor, req.KeepAlive = 0, false
	default:
		if len(version) == 8 && string(version[:5]) == "HTTP/" && isDigit(version[5]) &&
			version[6] == '.' && isDigit(version[7]) {
			return ErrVersion
		}
		return ErrRequestLine
	}
	req.Path, req.Query = req.Target, nil
	if q := bytes.IndexByte(req.Target, '?'); q >= 0 {
		req.Path, req.Query = req.Target[:q], req.Target[q+1:]
	}
	return nil
}

// validTarget accepts origin-form ("/path?query") and asterisk-form ("*").
func validTarget(t []byte) bool {
	if len(t) == 0 || (t[0] != '/' && !(len(t) == 1 && t[0] == '*')) {
		return false
	}
	for _, c := range t {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// headerState is what parseHeaders has seen so far of the headers that matter.
type headerState struct {
	hasLength, chunked bool
	hosts              int
	close, keepAlive   bool
}

func parseHeaders(b []byte, req *Request) error {
	var st headerState
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		if len(line) == 0 || line[len(line)-1] != '\r' {
			return ErrBareLF
		}
		if err := parseHeader(line[:len(line)-1], req, &st); err != nil {
			return err
		}
	}
	return finishHeaders(req, &st)
}

func parseHeader(line []byte, req *Request, st *headerState) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !isToken(line[:colon]) {
		return ErrHeaderLine // also rejects obsolete line folding (leading SP/HTAB)
	}
	name, value := line[:colon], trimOWS(line[colon+1:])
	for _, c := range value {
		if c == 0 {
			return ErrNUL
		}
		if (c < ' ' && c != '\t') || c == 0x7f {
			return ErrHeaderLine
		}
	}
	switch {
	case equalFold(name, "content-length"):
		n, ok := parseLength(value)
		if !ok || (st.hasLength && n != req.ContentLength) {
			return ErrContentLength
		}
		if n > MaxBodyBytes {
			return ErrBodyTooLarge
		}
		st.hasLength, req.ContentLength = true, n
	case equalFold(name, "transfer-encoding"):
		st.chunked = true
	case equalFold(name, "host"):
		st.hosts++
	case equalFold(name, "connection"):
		scanConnection(value, st)
	}
	return nil
}

func finishHeaders(req *Request, st *headerState) error {
	if st.chunked {
		if st.hasLength {
			return ErrLengthAndChunked
		}
		return ErrChunked
	}
	if req.Minor == 1 && st.hosts != 1 {
		return ErrHost
	}
	switch {
	case st.close:
		req.KeepAlive = false
	case st.keepAlive:
		req.KeepAlive = true
	}
	return nil
}

// scanConnection records the "close" and "keep-alive" options of a Connection header.
func scanConnection(v []byte, st *headerState) {
	for len(v) > 0 {
		var opt []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			opt, v = v[:i], v[i+1:]
		} else {
			opt, v = v, nil
		}
		opt = trimOWS(opt)
		switch {
		case equalFold(opt, "close"):
			st.close = true
		case equalFold(opt, "keep-alive"):
			st.keepAlive = true
		}
	}
}

// parseLength parses a Content-Length: 1 to 9 decimal digits, nothing else.
func parseLength(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 9 {
		if len(v) > 9 && allDigits(v) {
			return MaxBodyBytes + 1, true // too large to matter: 413, not 400
		}
		return 0, false
	}
	n := 0
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func allDigits(v []byte) bool {
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares b with the lower-case ASCII string s, ignoring b's case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isToken reports whether b is a non-empty RFC 9110 token (method, header name).
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenChars[c] {
			return false
		}
	}
	return true
}

var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
