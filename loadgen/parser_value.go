package loadgen

// The value side of respParser: Content-Length digits, Connection and Transfer-Encoding
// tokens, the end of the head, and chunk-size lines.

var (
	connTokens     = [...]string{"close", "keep-alive"}
	encodingTokens = [...]string{"chunked"}
)

const maxBodyLen = 1 << 50 // a larger Content-Length or chunk size is bad

// stepValue reads one byte of a Content-Length, Connection or Transfer-Encoding value.
func (p *respParser) stepValue(c byte) int {
	if p.hdr == hdrLength {
		return p.stepLength(c)
	}
	switch c {
	case '\r':
		return needMore
	case '\n', ',', ' ', '\t':
		p.endToken()
		if c == '\n' {
			p.state = sLineStart
		}
		return needMore
	}
	tokens := connTokens[:]
	if p.hdr == hdrEncoding {
		tokens = encodingTokens[:]
	}
	if p.pos == 0 {
		p.cands = 1<<len(tokens) - 1
	}
	lc := lower(c)
	for t, name := range tokens {
		if p.cands&(1<<t) != 0 && (int(p.pos) >= len(name) || name[p.pos] != lc) {
			p.cands &^= 1 << t
		}
	}
	if p.pos < 255 {
		p.pos++
	}
	return needMore
}

// endToken applies a complete Connection or Transfer-Encoding token.
func (p *respParser) endToken() {
	if p.pos == 0 {
		return
	}
	matched := -1
	tokens := connTokens[:]
	if p.hdr == hdrEncoding {
		tokens = encodingTokens[:]
	}
	for t, name := range tokens {
		if p.cands&(1<<t) != 0 && len(name) == int(p.pos) {
			matched = t
		}
	}
	p.pos = 0
	switch {
	case p.hdr == hdrEncoding:
		// chunked must be the last coding; any other leaves the body to the close
		p.flags |= fEncoding
		if matched == 0 {
			p.flags |= fChunked
		} else {
			p.flags &^= fChunked
		}
	case matched == 0:
		p.flags |= fClose
	case matched == 1:
		p.flags |= fKeepAlive
	}
}

// stepLength reads one byte of a Content-Length value: digits with optional white space
// around them.
func (p *respParser) stepLength(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		if p.tok != 0 || p.n > maxBodyLen {
			return bad // a digit after white space, or too long
		}
		p.n = p.n*10 + int64(c-'0')
		p.digits = 1
	case c == ' ' || c == '\t':
		if p.digits != 0 {
			p.tok = 1 // trailing white space: no more digits
		}
	case c == '\r':
	case c == '\n':
		if p.digits == 0 {
			return bad
		}
		p.state = sLineStart
	default:
		return bad
	}
	return needMore
}

// endHead decides how the body is framed once the empty line ends the head.
func (p *respParser) endHead() int {
	p.headLen = 0
	if p.status >= 100 && p.status < 200 && p.status != 101 {
		*p = respParser{} // an interim response: the real one follows
		return needMore
	}
	if p.minor == 0 && p.flags&fKeepAlive == 0 {
		p.flags |= fClose
	}
	switch {
	case p.status == 204 || p.status == 304 || p.status == 101:
		return p.finish()
	case p.flags&fChunked != 0:
		p.state, p.n, p.digits = sChunkSize, 0, 0
	case p.flags&fEncoding != 0:
		p.state = sUntilClose
		p.flags |= fClose
	case p.flags&fLength != 0:
		if p.n == 0 {
			return p.finish()
		}
		p.state = sBody
	default:
		p.state = sUntilClose
		p.flags |= fClose
	}
	return needMore
}

// stepChunkSize reads one byte of a chunk-size line: hex digits, then an optional
// extension, then CRLF.
func (p *respParser) stepChunkSize(c byte) int {
	if p.state == sChunkSize {
		if v := unhex(c); v >= 0 {
			if p.n > maxBodyLen {
				return bad
			}
			p.n = p.n<<4 | int64(v)
			p.digits = 1
			return needMore
		}
		if p.digits == 0 {
			return bad
		}
		switch c {
		case ';', ' ', '\t', '\r':
			p.state = sChunkExt
			return needMore
		case '\n':
		default:
			return bad
		}
	} else if c != '\n' {
		return needMore // inside the extension
	}
	p.headLen, p.digits = 0, 0
	p.state = sChunkData
	if p.n == 0 {
		p.state = sTrailerStart
	}
	return needMore
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
