package http1

// Progress is what parsing has learned of a request that is not whole yet, kept by the
// caller between reads so the next call on the same request goes on from there: how much
// of a chunked body is checked (each call would otherwise scan every chunk again), and
// whether the client was told to send its body (100 Continue). It is small enough to keep
// one per connection; the zero value is a request not yet seen.
type Progress struct {
	off, data int32 // chunked body checked: its length on the wire and its data's, whole lines
	trailers  bool  // off is in the trailer section
	continued bool  // ExpectContinue was reported
}

// ParseNext is Parse for a connection that reads a request in pieces. buf must start with
// the request p is about (the one at the start of the connection's unanswered bytes, the
// same bytes as last time and maybe more after them); ParseNext resets p once that
// request is parsed or refused, ready for the next one. It reports ExpectContinue once
// per request.
func ParseNext(buf []byte, req *Request, p *Progress) (int, error) {
	n, err := parse(buf, req, p)
	if err != ErrIncomplete {
		*p = Progress{}
	}
	return n, err
}

// waitBody notes that the request's head is whole and its body is not: the caller is to
// send 100 Continue if the client asked for it and has not been told yet.
func (p *Progress) waitBody(req *Request, st *headerState) {
	req.ExpectContinue = st.expectContinue && !p.continued
	p.continued = p.continued || st.expectContinue
}
