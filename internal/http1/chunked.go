package http1

import "bytes"

// scanChunked validates the chunked body at the start of b (RFC 9112 section 7.1):
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	last-chunk   = 1*"0" [ chunk-ext ] CRLF
//
// It returns the body's length on the wire and the length of its data; ErrIncomplete
// while b holds only part of it; ErrBodyTooLarge past MaxBodyBytes of data or
// MaxChunkOverhead of the rest; ErrChunkedBody, ErrHeaderLine or ErrNUL when malformed.
// Extensions and trailer fields are checked and ignored. It resumes after the lines and
// chunks p says an earlier call checked, and records in p those it checks.
func scanChunked(b []byte, p *Progress) (wire, size int, err error) {
	if int(p.off) > len(b) { // not this request's progress: start again, to be safe
		*p = Progress{continued: p.continued}
	}
	off, size := int(p.off), int(p.data)
	for !p.trailers {
		line, err := chunkLine(b[off:], off-size)
		if err != nil {
			return 0, 0, err
		}
		n, err := parseChunkSize(line)
		if err != nil {
			return 0, 0, err
		}
		if n > MaxBodyBytes-size {
			return 0, 0, ErrBodyTooLarge
		}
		if n == 0 {
			p.off, p.trailers = int32(off+len(line)+2), true
			break
		}
		off += len(line) + 2
		if len(b)-off < n+2 {
			return 0, 0, ErrIncomplete
		}
		if b[off+n] != '\r' || b[off+n+1] != '\n' {
			return 0, 0, ErrChunkedBody
		}
		off, size = off+n+2, size+n
		p.off, p.data = int32(off), int32(size)
	}
	return scanTrailers(b, p)
}

// scanTrailers checks the trailer section, up to its empty line, from where p says.
func scanTrailers(b []byte, p *Progress) (wire, size int, err error) {
	off, size := int(p.off), int(p.data)
	for {
		line, err := chunkLine(b[off:], off-size)
		if err != nil {
			return 0, 0, err
		}
		off += len(line) + 2
		if len(line) == 0 {
			return off, size, nil
		}
		if _, _, err := splitField(line); err != nil {
			return 0, 0, err
		}
		p.off = int32(off)
	}
}

// chunkLine returns the line at the start of b without its CRLF: a chunk-size line or a
// trailer field line. overhead is how many bytes other than data the body took before it.
func chunkLine(b []byte, overhead int) ([]byte, error) {
	room := MaxChunkOverhead - overhead // for this line, its LF included
	i := bytes.IndexByte(b[:max(0, min(len(b), room))], '\n')
	switch {
	case i < 0 && len(b) >= room:
		return nil, ErrBodyTooLarge
	case i < 0:
		return nil, ErrIncomplete
	case i == 0 || b[i-1] != '\r':
		return nil, ErrChunkedBody
	}
	return b[:i-1], nil
}

// parseChunkSize parses a chunk-size line (CRLF removed): hex digits, then extensions.
// A size past MaxBodyBytes is returned as some larger number, never overflowing.
func parseChunkSize(line []byte) (int, error) {
	n, i := 0, 0
	for ; i < len(line); i++ {
		d := unhex(line[i])
		if d < 0 {
			break
		}
		if n <= MaxBodyBytes {
			n = n<<4 | d
		}
	}
	if i == 0 || !validChunkExt(line[i:]) {
		return 0, ErrChunkedBody
	}
	return n, nil
}

// validChunkExt checks chunk extensions:
//
//	chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//
// where a name is a token and a value a token or a quoted-string.
func validChunkExt(e []byte) bool {
	for len(e) > 0 {
		e = skipBWS(e)
		if len(e) == 0 || e[0] != ';' {
			return false
		}
		e = skipBWS(e[1:])
		k := tokenLen(e)
		if k == 0 {
			return false
		}
		e = e[k:]
		if rest := skipBWS(e); len(rest) > 0 && rest[0] == '=' {
			e = skipBWS(rest[1:])
			if len(e) > 0 && e[0] == '"' {
				k = quotedLen(e)
			} else {
				k = tokenLen(e)
			}
			if k <= 0 {
				return false
			}
			e = e[k:]
		}
	}
	return true
}

func skipBWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// tokenLen is the length of the token at the start of b.
func tokenLen(b []byte) int {
	for i, c := range b {
		if !tokenChars[c] {
			return i
		}
	}
	return len(b)
}

// quotedLen is the length of the quoted-string at the start of b (RFC 9110 section
// 5.6.4), or -1 when there is none.
func quotedLen(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i++; i == len(b) || !quotable(b[i]) {
				return -1
			}
		case !quotable(c):
			return -1
		}
	}
	return -1
}

// quotable reports whether c may appear in a quoted-string: HTAB, SP, VCHAR, obs-text.
func quotable(c byte) bool { return c == '\t' || (c >= ' ' && c != 0x7f) }

// unhex is the value of a hex digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
