package loadgen

// Fast paths of respParser for the common case, a status line or a header line that lies
// whole in the buffer: the line is taken at once instead of byte by byte. Each must end
// in exactly the state (and verdict) the byte-wise path would reach over the same bytes;
// the parser tests feed every case whole, byte by byte and in random splits to hold the
// two paths to each other.

import "bytes"

// statusLen is "HTTP/1.x NNN" and the byte after the code.
const statusLen = len(statusPrefix) + 6

// fastStatus reads a status line's fixed part when b holds it whole and it is valid; it
// reports false (consuming nothing) otherwise, for the byte-wise path to judge.
func (p *respParser) fastStatus(b []byte) bool {
	if len(b) < statusLen || string(b[:len(statusPrefix)]) != statusPrefix {
		return false
	}
	v, sp, d0, d1, d2, end := b[7], b[8], b[9], b[10], b[11], b[12]
	if (v != '0' && v != '1') || sp != ' ' || !isDigit(d0) || !isDigit(d1) || !isDigit(d2) ||
		(end != ' ' && end != '\r' && end != '\n') || d0 == '0' {
		return false
	}
	p.minor = v - '0'
	p.status = uint16(d0-'0')*100 + uint16(d1-'0')*10 + uint16(d2-'0')
	p.pos = uint8(statusLen)
	p.headLen += int32(statusLen)
	p.state = sStatusRest
	if end == '\n' {
		p.state = sLineStart
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fastLine takes one whole header line, LF included, from the start of a line.
func (p *respParser) fastLine(line []byte) int {
	switch line[0] {
	case '\n':
		return p.endHead()
	case '\r':
		if len(line) != 2 {
			return bad // CR not followed by LF
		}
		return p.endHead()
	case ' ', '\t', ':':
		return bad
	}
	k := 0
	for k < len(line) && line[k] != ':' && line[k] != '\r' && line[k] != '\n' {
		k++
	}
	hdr := knownHeader(line[:k])
	if line[k] != ':' { // no colon: bad if the name was still one we know, as byte-wise
		if prefixOfKnown(line[:k]) {
			return bad
		}
		p.state = sLineStart
		return needMore
	}
	if r := p.beginValue(hdr); r != needMore || hdr == hdrNone {
		p.state = sLineStart
		return r
	}
	value := line[k+1:]
	if cr := bytes.IndexByte(value, '\r'); hdr != hdrLength && (cr < 0 || cr == len(value)-2) {
		p.fastTokens(value)
		return needMore
	}
	for _, c := range value {
		if r := p.stepValue(c); r != needMore {
			return r
		}
	}
	return needMore
}

// fastTokens applies a Connection or Transfer-Encoding value that ends the line (LF,
// perhaps CRLF, and no other CR) token by token, as stepValue would byte by byte.
func (p *respParser) fastTokens(value []byte) {
	tokens := connTokens[:]
	if p.hdr == hdrEncoding {
		tokens = encodingTokens[:]
	}
	for i := 0; i < len(value); {
		if isTokenEnd(value[i]) {
			i++
			continue
		}
		j := i
		for j < len(value) && !isTokenEnd(value[j]) {
			j++
		}
		p.cands = 0
		for t, name := range tokens {
			if j-i == len(name) && equalFold(value[i:j], name) {
				p.cands |= 1 << t
			}
		}
		p.pos = uint8(min(j-i, 255))
		p.endToken()
		i = j
	}
	p.state = sLineStart
}

func isTokenEnd(c byte) bool { return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n' }

// knownHeader is the index of name among knownHeaders, any case, or hdrNone.
func knownHeader(name []byte) uint8 {
	for h, known := range knownHeaders {
		if len(name) == len(known) && equalFold(name, known) {
			return uint8(h)
		}
	}
	return hdrNone
}

// prefixOfKnown reports whether name, any case, begins one of knownHeaders.
func prefixOfKnown(name []byte) bool {
	for _, known := range knownHeaders {
		if len(name) <= len(known) && equalFold(name, known[:len(name)]) {
			return true
		}
	}
	return false
}

// equalFold compares b with the lower-case s, ASCII case-insensitively.
func equalFold(b []byte, s string) bool {
	for i := range b {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}
