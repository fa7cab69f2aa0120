package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Sentinel errors; test with errors.Is.
var (
	ErrConfig      = errors.New("loadgen: bad configuration")
	ErrNotLoopback = errors.New("loadgen: target is not a loopback address (set AllowRemote to load a remote host)")
	ErrFDLimit     = errors.New("loadgen: more connections than the open-file limit allows")
	ErrUnsupported = errors.New("loadgen: the closed engine and the idle holder need Linux (epoll)")
)

// Defaults for zero Config fields.
const (
	DefaultTimeout        = 5 * time.Second
	DefaultOpenMaxWorkers = 1000 // open engine: the most concurrent vegeta workers
	WindowLength          = time.Second
	// IdleSetUpConcurrency bounds the idle holder's connections being set up at once (each
	// connects and makes its one request): a burst of SYNs stays far under a server's
	// accept backlog, and the set-up burst is a load of this many active connections,
	// which the orchestrator tells a peer (PEER_ACTIVE) so that a server that sizes its
	// workers by the active connections (Apache's event MPM) is sized for it.
	IdleSetUpConcurrency = 64
)

// target is a parsed, checked Config.URL.
type target struct {
	host    string // as written in the URL, for the Host header
	addr    *net.TCPAddr
	request []byte // one GET request, encoded once
}

// parseTarget checks rawURL (http only, a host that resolves, loopback unless allowRemote)
// and encodes the GET request the closed engine and the idle holder send.
func parseTarget(rawURL string, allowRemote bool) (*target, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: url %q: %w", ErrConfig, rawURL, err)
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%w: url %q: want http://HOST:PORT/PATH", ErrConfig, rawURL)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, fmt.Errorf("%w: url %q: bad port", ErrConfig, rawURL)
	}
	addr, err := resolve(u.Hostname(), port, allowRemote)
	if err != nil {
		return nil, err
	}
	path := u.RequestURI()
	req := "GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n"
	return &target{host: u.Host, addr: addr, request: []byte(req)}, nil
}

// resolve looks host up and refuses it unless every address is loopback or allowRemote.
func resolve(host, port string, allowRemote bool) (*net.TCPAddr, error) {
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return nil, fmt.Errorf("%w: cannot resolve %q: %w", ErrConfig, host, err)
	}
	var pick net.IP
	for _, ip := range ips {
		if !ip.IsLoopback() && !allowRemote {
			return nil, fmt.Errorf("%w: %s", ErrNotLoopback, host)
		}
		if pick == nil || (pick.To4() == nil && ip.To4() != nil) {
			pick = ip // prefer IPv4, as "localhost" resolves to both
		}
	}
	p, _ := strconv.Atoi(port)
	return &net.TCPAddr{IP: pick, Port: p}, nil
}

// CheckTarget reports whether rawURL is a URL the engines accept: http, resolvable, and
// loopback unless allowRemote. Errors wrap ErrConfig or ErrNotLoopback.
func CheckTarget(rawURL string, allowRemote bool) error {
	_, err := parseTarget(rawURL, allowRemote)
	return err
}

// timeout is cfg.Timeout or its default.
func (cfg *Config) timeout() time.Duration {
	if cfg.Timeout > 0 {
		return cfg.Timeout
	}
	return DefaultTimeout
}

// check validates the fields every engine shares.
func (cfg *Config) check() error {
	switch {
	case cfg.Duration <= 0:
		return fmt.Errorf("%w: duration must be positive", ErrConfig)
	case cfg.Warmup < 0 || cfg.Timeout < 0 || cfg.RampMax < 0:
		return fmt.Errorf("%w: warm-up, ramp bound and timeout must not be negative", ErrConfig)
	case cfg.Concurrency < 0 || cfg.Pipeline < 0 || cfg.Loops < 0:
		return fmt.Errorf("%w: concurrency, pipeline and loops must not be negative", ErrConfig)
	}
	return nil
}
