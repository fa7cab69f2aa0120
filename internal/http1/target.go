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

// validAuthority reports whether b holds only characters of a host and port: a reg-name,
// an IP literal in brackets, a port. Userinfo ("user@host") is refused, as RFC 9110
// section 4.2.4 advises.
func validAuthority(b []byte) bool {
	for _, c := range b {
		if !authorityChars[c] {
			return false
		}
	}
	return true
}

var authorityChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "-._~%!$&'()*+,;=:[]" {
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
