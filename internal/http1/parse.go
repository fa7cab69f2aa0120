package http1

import (
	"bytes"
	"errors"
)

// Limits every model enforces.
const (
	MaxHeadBytes = 8 << 10 // empty lines before it + request line + headers + blank line
	MaxBodyBytes = 1 << 20 // a request body: its Content-Length, or its chunks' data together
	// MaxChunkOverhead bounds what a chunked body sends besides its data: chunk-size lines
	// with their extensions, the CRLFs after the data, and the trailer section. It keeps
	// the body's wire size, and the chunks Parse scans again on each call, bounded.
	MaxChunkOverhead = 64 << 10
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
	ErrTransferEncoding = &Error{400, "Transfer-Encoding not ending with chunked, or in HTTP/1.0"}
	ErrTransferCoding   = &Error{501, "unsupported transfer coding"}
	ErrChunkedBody      = &Error{400, "malformed chunked body"}
	ErrHost             = &Error{400, "no Host header in HTTP/1.1, several, or an invalid one"}
)

// Request is one parsed request. Every slice points into the buffer given to Parse, but
// for the Path "/" (or "*") of an absolute-form target without a path.
type Request struct {
	Method []byte
	// Target is the request-target as sent: origin-form (Path, then "?" and Query if
	// any), asterisk-form ("*"), or absolute-form ("http://" authority, Path, Query).
	Target []byte
	Path   []byte
	Query  []byte
	Minor  int // HTTP/1.Minor: 0 or 1
	// KeepAlive is whether the connection stays open after the response.
	KeepAlive bool
	// Chunked says the body came with Transfer-Encoding: chunked. It is validated and
	// skipped, not decoded: Body is nil and ContentLength is the length of its data.
	Chunked       bool
	ContentLength int
	Body          []byte
	// ExpectContinue, set only with ErrIncomplete, says the head is whole, its body is
	// not, and the client (HTTP/1.1) waits for "100 Continue" before sending it: the
	// caller sends AppendContinue's bytes, then reads on. ParseNext sets it once per
	// request; Parse, which remembers nothing, on every call until the body is whole.
	ExpectContinue bool
}

// IsHead reports whether the request is a HEAD (the response carries no body).
func (r *Request) IsHead() bool { return string(r.Method) == "HEAD" }

var crlfcrlf = []byte("\r\n\r\n")

// Parse parses the first request in buf. It returns how many bytes the request (empty
// lines before it, head and body) took, ErrIncomplete when buf holds only part of one, or
// an *Error to answer with. A server reading a request in pieces calls ParseNext instead.
func Parse(buf []byte, req *Request) (int, error) {
	var p Progress
	return parse(buf, req, &p)
}

func parse(buf []byte, req *Request, p *Progress) (int, error) {
	*req = Request{}
	start := skipEmptyLines(buf)
	end := bytes.Index(buf[start:], crlfcrlf)
	if end < 0 {
		return 0, incompleteHeadError(buf)
	}
	end += start
	headLen := end + 4
	if headLen > MaxHeadBytes {
		return 0, ErrHeadTooLarge
	}
	if bytes.IndexByte(buf[:end], 0) >= 0 {
		return 0, ErrNUL // as incompleteHeadError says for a prefix of this head
	}
	line, rest := cutLine(buf[start : end+2])
	if err := parseRequestLine(line, req); err != nil {
		return 0, err
	}
	var st headerState
	if err := parseHeaders(rest, req, &st); err != nil {
		return 0, err
	}
	return parseBody(buf, headLen, req, &st, p)
}

// skipEmptyLines is how many bytes of CRLF pairs start buf: a server ignores empty lines
// before a request line (RFC 9112 section 2.2). They count towards MaxHeadBytes.
func skipEmptyLines(buf []byte) int {
	i := 0
	for i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n' {
		i += 2
	}
	return i
}

// parseBody finds the end of the body after a head of headLen bytes.
func parseBody(buf []byte, headLen int, req *Request, st *headerState, p *Progress) (int, error) {
	if req.Chunked {
		n, size, err := scanChunked(buf[headLen:], p)
		if err == ErrIncomplete {
			p.waitBody(req, st)
		}
		if err != nil {
			return 0, err
		}
		req.ContentLength = size
		return headLen + n, nil
	}
	total := headLen + req.ContentLength
	if len(buf) < total {
		p.waitBody(req, st)
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
	if !isToken(req.Method) {
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
	if !splitTarget(req) {
		return ErrRequestLine
	}
	return nil
}

// headerState is what parseHeaders has seen so far of the headers that matter.
type headerState struct {
	hasLength, close, keepAlive bool
	hosts                       int
	badHost                     bool
	expectContinue              bool
	te                          transferCodings
}

func parseHeaders(b []byte, req *Request, st *headerState) error {
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		if len(line) == 0 || line[len(line)-1] != '\r' {
			return ErrBareLF
		}
		name, value, err := splitField(line[:len(line)-1])
		if err != nil {
			return err
		}
		if err := parseHeader(name, value, req, st); err != nil {
			return err
		}
	}
	return finishHeaders(req, st)
}

// splitField splits a field line (CRLF removed) into its name and its value without the
// surrounding whitespace, refusing what RFC 9112 does not allow in either.
func splitField(line []byte) (name, value []byte, err error) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !isToken(line[:colon]) {
		return nil, nil, ErrHeaderLine // also rejects obsolete line folding (leading SP/HTAB)
	}
	value = trimOWS(line[colon+1:])
	for _, c := range value {
		if c == 0 {
			return nil, nil, ErrNUL
		}
		if (c < ' ' && c != '\t') || c == 0x7f {
			return nil, nil, ErrHeaderLine
		}
	}
	return line[:colon], value, nil
}

// parseHeader records the headers that matter; the length of the name picks the one
// comparison to make.
func parseHeader(name, value []byte, req *Request, st *headerState) error {
	switch len(name) {
	case len("host"):
		if equalFold(name, "host") {
			st.hosts++
			st.badHost = st.badHost || !validHost(value)
		}
	case len("expect"):
		if equalFold(name, "expect") {
			st.expectContinue = equalFold(value, "100-continue")
		}
	case len("connection"):
		if equalFold(name, "connection") {
			scanConnection(value, st)
		}
	case len("content-length"):
		if equalFold(name, "content-length") {
			return contentLength(value, req, st)
		}
	case len("transfer-encoding"):
		if equalFold(name, "transfer-encoding") {
			st.te.scan(value)
		}
	}
	return nil
}

func contentLength(value []byte, req *Request, st *headerState) error {
	n, ok := parseLength(value)
	if !ok || (st.hasLength && n != req.ContentLength) {
		return ErrContentLength
	}
	if n > MaxBodyBytes {
		return ErrBodyTooLarge
	}
	st.hasLength, req.ContentLength = true, n
	return nil
}

func finishHeaders(req *Request, st *headerState) error {
	if st.te.present {
		if st.hasLength {
			return ErrLengthAndChunked
		}
		if err := st.te.check(req.Minor); err != nil {
			return err
		}
		req.Chunked = true
	}
	if st.hosts > 1 || (req.Minor == 1 && st.hosts == 0) || st.badHost {
		return ErrHost
	}
	// An HTTP/1.0 client does not know 100 Continue (RFC 9110 section 10.1.1).
	st.expectContinue = st.expectContinue && req.Minor == 1
	switch {
	case st.close:
		req.KeepAlive = false
	case st.keepAlive:
		req.KeepAlive = true
	}
	return nil
}

// transferCodings is what the Transfer-Encoding header lines list, in order.
type transferCodings struct {
	present bool
	chunked int  // how many times chunked is listed
	last    bool // the last coding listed is chunked
	other   bool // another coding is listed
}

// scan records the codings of one Transfer-Encoding line (empty list elements ignored).
func (te *transferCodings) scan(v []byte) {
	te.present = true
	for len(v) > 0 {
		var coding []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			coding, v = trimOWS(v[:i]), v[i+1:]
		} else {
			coding, v = trimOWS(v), nil
		}
		switch {
		case len(coding) == 0:
		case equalFold(coding, "chunked"):
			te.chunked++
			te.last = true
		default:
			te.other, te.last = true, false
		}
	}
}

// check applies RFC 9112 section 6: a request's transfer codings must end with chunked,
// applied once, and HTTP/1.0 has no transfer codings; a coding the server does not know
// is 501.
func (te *transferCodings) check(minor int) error {
	if minor == 0 || !te.last || te.chunked != 1 {
		return ErrTransferEncoding
	}
	if te.other {
		return ErrTransferCoding
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
