package loadgen

import "bytes"

// respParser is an incremental HTTP/1.1 response parser: minimal (it keeps only the status,
// the body framing and whether the server closes) but correct for any split of the bytes.
// Its state is a few words, so a connection costs no buffer: the loop's shared read buffer
// is fed to it as it comes. The zero value expects a status line.
type respParser struct {
	state   uint8
	pos     uint8  // bytes of the literal or header name matched so far
	cands   uint8  // header names still matching (bit per knownHeaders entry)
	hdr     uint8  // the header whose value is being read (hdrNone: skip)
	tok     uint8  // Connection / Transfer-Encoding: value token matched so far
	minor   uint8  // HTTP/1.minor
	digits  uint8  // digits of the status code, or of a chunk size, so far
	flags   uint8  // fLength, fChunked, fClose, fKeepAlive
	status  uint16 // the status code
	last    uint16 // the last complete response's status code
	lastEnd uint8  // the last complete response's flags
	headLen int32  // bytes of head so far, bounded by maxHead
	n       int64  // Content-Length being read, then body or chunk bytes left
}

// parse outcomes.
const (
	needMore = iota // every byte given was consumed; the response is not complete
	complete        // a response ended; parse consumed its last byte
	bad             // not a valid response
)

const maxHead = 64 << 10 // a head (or a chunk line, or trailers) longer than this is bad

const (
	sStatus       = iota // matching "HTTP/1.x NNN"
	sStatusRest          // the reason phrase, up to LF
	sLineStart           // start of a header line, or the empty line ending the head
	sName                // inside a header name
	sValue               // inside a header value we care about
	sSkipLine            // inside a line we ignore, up to LF
	sHeadLF              // after the CR of the empty line
	sBody                // n bytes of body left
	sUntilClose          // body delimited by the connection's close
	sChunkSize           // hex digits of a chunk size
	sChunkExt            // chunk extension or CR after the size, up to LF
	sChunkData           // n bytes of chunk left
	sChunkCR             // CR after chunk data
	sChunkLF             // LF after chunk data
	sTrailerStart        // start of a trailer line, or the empty line ending the message
	sTrailerLine         // inside a trailer line
	sTrailerLF           // after the CR of the final empty line
)

const (
	fLength = 1 << iota
	fChunked
	fClose     // Connection: close (or HTTP/1.0 without keep-alive, or body until close)
	fKeepAlive // Connection: keep-alive
	fEncoding  // a Transfer-Encoding header
)

const (
	hdrLength = iota
	hdrConnection
	hdrEncoding
	hdrNone
)

var knownHeaders = [...]string{"content-length", "connection", "transfer-encoding"}

const statusPrefix = "HTTP/1."

// Status is the last complete response's status code; Close reports whether the server
// closes the connection after it.
func (p *respParser) Status() int { return int(p.last) }
func (p *respParser) Close() bool { return p.lastEnd&fClose != 0 }

// untilClose reports whether the body in progress ends at the connection's close; eof
// completes such a response.
func (p *respParser) untilClose() bool { return p.state == sUntilClose }

// busy reports whether a response has begun and not ended.
func (p *respParser) busy() bool { return p.state != sStatus || p.pos != 0 }

// parse consumes b up to the end of one response and returns how many bytes it used and
// the outcome. After complete, Status and Close describe the response and the parser is
// ready for the next one; after bad it must be reset.
func (p *respParser) parse(b []byte) (int, int) {
	i := 0
	for i < len(b) {
		if used, r, ok := p.bulk(b[i:]); ok {
			i += used
			if r != needMore {
				return i, r
			}
			continue
		}
		r := p.step(b[i])
		i++
		if r != needMore {
			return i, r
		}
		if p.headLen++; p.headLen > maxHead {
			return i, bad
		}
	}
	return i, needMore
}

// bulk takes many bytes at once where the state allows: body and chunk data by count,
// skipped lines up to their LF, and whole status and header lines (parser_fast.go). It
// reports ok false when b must go byte by byte.
func (p *respParser) bulk(b []byte) (used, r int, ok bool) {
	switch p.state {
	case sBody, sChunkData:
		k := min(int64(len(b)), p.n)
		if p.n -= k; p.n == 0 {
			if p.state == sBody {
				return int(k), p.finish(), true
			}
			p.state = sChunkCR
		}
		return int(k), needMore, true
	case sUntilClose:
		return len(b), needMore, true
	case sSkipLine, sStatusRest, sTrailerLine:
		j := bytes.IndexByte(b, '\n')
		if j < 0 {
			if p.headLen += int32(len(b)); p.headLen > maxHead {
				return 0, bad, true
			}
			return len(b), needMore, true
		}
		p.headLen += int32(j + 1)
		p.endLine()
		return j + 1, needMore, true
	case sStatus:
		if p.pos == 0 && p.fastStatus(b) {
			return statusLen, needMore, true
		}
	case sLineStart:
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			if p.headLen += int32(j + 1); p.headLen > maxHead {
				return 0, bad, true
			}
			return j + 1, p.fastLine(b[:j+1]), true
		}
	}
	return 0, needMore, false
}

// endLine moves past the LF that ended a skipped line.
func (p *respParser) endLine() {
	if p.state == sTrailerLine {
		p.state = sTrailerStart
	} else {
		p.state = sLineStart
	}
}

// eof ends a response whose body runs to the connection's close.
func (p *respParser) eof() int {
	if p.state == sUntilClose {
		return p.finish()
	}
	return bad
}

// finish records the end of a response and readies the parser for the next.
func (p *respParser) finish() int {
	*p = respParser{last: p.status, lastEnd: p.flags}
	return complete
}

func (p *respParser) reset() { *p = respParser{} }

// step consumes one byte of a line-oriented state.
func (p *respParser) step(c byte) int {
	switch p.state {
	case sStatus:
		return p.stepStatus(c)
	case sLineStart:
		return p.stepLineStart(c)
	case sName:
		return p.stepName(c)
	case sValue:
		return p.stepValue(c)
	case sHeadLF:
		if c != '\n' {
			return bad
		}
		return p.endHead()
	case sChunkSize, sChunkExt:
		return p.stepChunkSize(c)
	case sChunkCR:
		return p.expect(c, '\r', sChunkLF)
	case sChunkLF:
		return p.expect(c, '\n', sChunkSize)
	case sTrailerStart:
		switch c {
		case '\r':
			p.state = sTrailerLF
		case '\n':
			return p.finish()
		default:
			p.state = sTrailerLine
		}
		return needMore
	case sTrailerLF:
		if c != '\n' {
			return bad
		}
		return p.finish()
	}
	return bad
}

func (p *respParser) expect(c, want byte, next uint8) int {
	if c != want {
		return bad
	}
	p.state = next
	return needMore
}

// stepStatus matches "HTTP/1.x NNN" and the byte after the code.
func (p *respParser) stepStatus(c byte) int {
	switch k := int(p.pos); {
	case k < len(statusPrefix):
		if c != statusPrefix[k] {
			return bad
		}
	case k == len(statusPrefix):
		if c != '0' && c != '1' {
			return bad
		}
		p.minor = c - '0'
	case k == len(statusPrefix)+1:
		if c != ' ' {
			return bad
		}
	case k < len(statusPrefix)+5:
		if c < '0' || c > '9' {
			return bad
		}
		p.status = p.status*10 + uint16(c-'0')
	default: // after the code: a space and a reason phrase, or the line's end
		if c != ' ' && c != '\r' && c != '\n' {
			return bad
		}
		if p.status < 100 {
			return bad
		}
		p.state = sStatusRest
		if c == '\n' {
			p.state = sLineStart
		}
	}
	p.pos++
	return needMore
}

// stepLineStart begins a header line or ends the head.
func (p *respParser) stepLineStart(c byte) int {
	switch c {
	case '\r':
		p.state = sHeadLF
		return needMore
	case '\n':
		return p.endHead()
	case ' ', '\t', ':':
		return bad // obsolete line folding, or an empty name
	}
	p.cands, p.pos = 0, 0
	for h, name := range knownHeaders {
		if lower(c) == name[0] {
			p.cands |= 1 << h
		}
	}
	p.pos = 1
	p.state = sName
	if p.cands == 0 {
		p.state = sSkipLine
	}
	return needMore
}

// stepName narrows the candidate header names; on ':' it picks the one that matched whole.
func (p *respParser) stepName(c byte) int {
	if c == ':' {
		hdr := uint8(hdrNone)
		for h, name := range knownHeaders {
			if p.cands&(1<<h) != 0 && len(name) == int(p.pos) {
				hdr = uint8(h)
			}
		}
		return p.beginValue(hdr)
	}
	if c == '\n' || c == '\r' {
		return bad // a header line without a colon
	}
	lc := lower(c)
	for h, name := range knownHeaders {
		if p.cands&(1<<h) != 0 && (int(p.pos) >= len(name) || name[p.pos] != lc) {
			p.cands &^= 1 << h
		}
	}
	p.pos++
	if p.cands == 0 {
		p.state = sSkipLine
	}
	return needMore
}

// beginValue starts reading the value of header hdr (hdrNone: skip the line).
func (p *respParser) beginValue(hdr uint8) int {
	p.hdr, p.state, p.tok, p.pos = hdr, sValue, 0, 0
	switch hdr {
	case hdrNone:
		p.state = sSkipLine
	case hdrLength:
		if p.flags&fLength != 0 {
			return bad // a second Content-Length
		}
		p.flags |= fLength
		p.digits, p.n = 0, 0
	}
	return needMore
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
