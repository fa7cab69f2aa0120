package http1

import "strconv"

// Head describes a response head; the body itself is written by the caller (appended
// after the head, or sent with writev when it is large).
type Head struct {
	Status        int
	ContentType   string // omitted when empty
	ContentLength int
	// KeepAlive is whether the connection stays open after this response; Minor is the
	// request's HTTP minor version. Together they choose the Connection header: "close"
	// when closing, "keep-alive" for an HTTP/1.0 client that keeps the connection.
	KeepAlive bool
	Minor     int
	Allow     string // sent as the Allow header when non-empty (405 responses)
}

// ServerName is the value of the Server header every response carries.
const ServerName = "bench"

// AppendHead appends the response status line and headers, blank line included, to dst.
// Every response carries Server and Date (the current second, see Date).
func AppendHead(dst []byte, h Head) []byte {
	return appendHead(dst, h, Date())
}

// appendHead is AppendHead with the Date value given.
func appendHead(dst []byte, h Head, date *[DateLen]byte) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(h.Status), 10)
	dst = append(dst, ' ')
	dst = append(dst, StatusText(h.Status)...)
	dst = append(dst, "\r\nServer: "+ServerName+"\r\nDate: "...)
	dst = append(dst, date[:]...)
	dst = append(dst, "\r\n"...)
	if h.ContentType != "" {
		dst = append(dst, "Content-Type: "...)
		dst = append(dst, h.ContentType...)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(h.ContentLength), 10)
	dst = append(dst, "\r\n"...)
	if h.Allow != "" {
		dst = append(dst, "Allow: "...)
		dst = append(dst, h.Allow...)
		dst = append(dst, "\r\n"...)
	}
	switch {
	case !h.KeepAlive:
		dst = append(dst, "Connection: close\r\n"...)
	case h.Minor == 0:
		dst = append(dst, "Connection: keep-alive\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// AppendContinue appends the interim response a client that sent "Expect: 100-continue"
// waits for before sending the body (see Request.ExpectContinue). It has no headers.
func AppendContinue(dst []byte) []byte {
	return append(dst, "HTTP/1.1 100 Continue\r\n\r\n"...)
}

// AppendError appends a whole error response (a one-line text body naming the status) that
// closes the connection.
func AppendError(dst []byte, status int) []byte {
	text := StatusText(status)
	dst = AppendHead(dst, Head{Status: status, ContentType: "text/plain", ContentLength: len(text) + 1})
	dst = append(dst, text...)
	return append(dst, '\n')
}

// StatusText is the reason phrase of the status codes the suite sends.
func StatusText(status int) string {
	switch status {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 413:
		return "Content Too Large"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 503:
		return "Service Unavailable"
	case 505:
		return "HTTP Version Not Supported"
	}
	return "Unknown"
}
