package http1

import "bytes"

// slash is the Path of an absolute-form target without a path ("http://host").
var slash = []byte("/")

// splitTarget checks req.Target and sets Path and Query from it. It accepts origin-form
// ("/path?query"), asterisk-form ("*") and absolute-form ("http://host/path?query", RFC
// 9112 section 3.2.2: every server accepts it, though only proxies are sent it).
func splitTarget(req *Request) bool {
	t := req.Target
	if len(t) == 0 || !visibleASCII(t) {
		return false
	}
	rest := t
	switch {
	case t[0] == '/':
	case len(t) == 1 && t[0] == '*':
	default:
		var ok bool
		if rest, ok = afterAuthority(t); !ok {
			return false
		}
	}
	req.Path, req.Query = rest, nil
	if q := bytes.IndexByte(rest, '?'); q >= 0 {
		req.Path, req.Query = rest[:q], rest[q+1:]
	}
	if len(req.Path) == 0 {
		req.Path = slash // "http://host" and "http://host?q" ask for "/"
	}
	return true
}

// afterAuthority returns what follows the authority of an http or https absolute URI
// (its path and query, maybe empty); ok is false for any other target.
func afterAuthority(t []byte) (rest []byte, ok bool) {
	switch {
	case hasPrefixFold(t, "http://"):
		rest = t[len("http://"):]
	case hasPrefixFold(t, "https://"):
		rest = t[len("https://"):]
	default:
		return nil, false
	}
	end := len(rest)
	for i, c := range rest {
		if c == '/' || c == '?' {
			end = i
			break
		}
	}
	if end == 0 || !validAuthority(rest[:end]) {
		return nil, false // an http URI's host is never empty (RFC 9110 section 4.2.1)
	}
	return rest[end:], true
}

// validHost reports whether a Host value is an authority (host and optional port) or
// empty; an invalid one is 400 (RFC 9112 section 3.2).
func validHost(v []byte) bool { return len(v) == 0 || validAuthority(v) }

// validAuthority reports whether b is an authority as RFC 3986 section 3.2.2 defines it,
// less userinfo (refused, as RFC 9110 section 4.2.4 advises): a host, an IP literal in
// brackets (an IPv6 address or an IPvFuture) or a reg-name (an IPv4 address is one), not
// empty (RFC 9110 section 4.2.1), then an optional ":" and a port of digits. It allocates
// nothing: it runs on every request's Host.
func validAuthority(b []byte) bool {
	host, port := b, []byte(nil)
	if len(b) > 0 && b[0] == '[' {
		end := bytes.IndexByte(b, ']')
		if end < 0 || !validIPLiteral(b[1:end]) {
			return false
		}
		host, port = b[:end+1], b[end+1:]
		if len(port) > 0 && port[0] != ':' {
			return false
		}
	} else if c := bytes.IndexByte(b, ':'); c >= 0 {
		host, port = b[:c], b[c:]
	}
	if len(host) == 0 || host[0] != '[' && !validRegName(host) {
		return false
	}
	if len(port) > 0 { // ":" then digits (may be empty: RFC 3986 allows "host:")
		for _, c := range port[1:] {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// validRegName reports whether b holds only unreserved characters, sub-delims and
// percent-encoded octets.
func validRegName(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '%' {
			if i+2 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) {
				return false
			}
			i += 2
			continue
		}
		if !regNameChars[c] {
			return false
		}
	}
	return true
}

// validIPLiteral reports whether b (between the brackets) is an IPv6 address or an
// IPvFuture ("v" hex "." then unreserved, sub-delims or ":").
func validIPLiteral(b []byte) bool {
	if len(b) > 0 && (b[0] == 'v' || b[0] == 'V') {
		dot := bytes.IndexByte(b, '.')
		if dot < 2 || dot == len(b)-1 {
			return false
		}
		for _, c := range b[1:dot] {
			if !isHex(c) {
				return false
			}
		}
		for _, c := range b[dot+1:] {
			if !regNameChars[c] && c != ':' {
				return false
			}
		}
		return true
	}
	return validIPv6(b)
}

// validIPv6 reports whether b is an IPv6 address (RFC 4291 section 2.2): eight groups of
// 1 to 4 hex digits, "::" once for one or more zero groups, the last two groups maybe an
// IPv4 address.
func validIPv6(b []byte) bool {
	groups, elided := 0, false
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		elided, b = true, b[2:]
		if len(b) == 0 {
			return true // "::"
		}
	}
	for len(b) > 0 {
		end := bytes.IndexByte(b, ':')
		if end < 0 {
			end = len(b)
		}
		g := b[:end]
		if end == len(b) && bytes.IndexByte(g, '.') >= 0 { // a trailing IPv4 address
			if !validIPv4(g) {
				return false
			}
			groups += 2
			break
		}
		if len(g) == 0 || len(g) > 4 || !allHex(g) {
			return false
		}
		groups++
		b = b[end:]
		switch {
		case len(b) >= 2 && b[1] == ':': // "::"
			if elided {
				return false
			}
			elided, b = true, b[2:]
		case len(b) == 1:
			return false // a trailing ":"
		case len(b) > 0:
			b = b[1:]
		}
	}
	return groups == 8 && !elided || groups < 8 && elided
}

// validIPv4 reports whether b is a dotted-decimal IPv4 address: four numbers 0-255.
func validIPv4(b []byte) bool {
	parts := 0
	for len(b) > 0 {
		end := bytes.IndexByte(b, '.')
		if end < 0 {
			end = len(b)
		}
		n := b[:end]
		if len(n) == 0 || len(n) > 3 || len(n) > 1 && n[0] == '0' {
			return false
		}
		v := 0
		for _, c := range n {
			if c < '0' || c > '9' {
				return false
			}
			v = v*10 + int(c-'0')
		}
		if v > 255 {
			return false
		}
		parts++
		if b = b[end:]; len(b) > 0 {
			if b = b[1:]; len(b) == 0 {
				return false // a trailing "."
			}
		}
	}
	return parts == 4
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// regNameChars are the unreserved characters and sub-delims of RFC 3986.
var regNameChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "-._~!$&'()*+,;=" {
		t[c] = true
	}
	return t
}()

// visibleASCII reports whether b holds only printable ASCII, no space.
func visibleASCII(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b starts with the lower-case ASCII string s, ignoring
// b's case.
func hasPrefixFold(b []byte, s string) bool {
	return len(b) >= len(s) && equalFold(b[:len(s)], s)
}
