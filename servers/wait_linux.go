package servers

// DefaultWait is the threaded model's wait mode when none is given: a blocking read(2), a
// P per thread (servers/threaded/doc.go).
const DefaultWait = WaitRead
