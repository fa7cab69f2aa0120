package wire

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ServeArgs is a `bench serve` command line as the orchestrator writes it (Args) and
// `bench serve` declares it (Bind); Extra is the model's own flags, from the suite.
type ServeArgs struct {
	Model string
	Addr  string // HOST:PORT, port 0 for a free one
	CPUs  string // the server pins itself to these before it calibrates /cpu
	Procs int    // GOMAXPROCS (0: the model's default, reported on its settings line)
	Extra []string
}

// Bind declares the flags into a; defaultAddr is the address bound when none is given.
func (a *ServeArgs) Bind(fs *flag.FlagSet, models []string, defaultAddr string) {
	fs.StringVar(&a.Model, "model", "", "server model: "+strings.Join(models, ", "))
	fs.StringVar(&a.Addr, "addr", defaultAddr, "address to bind (loopback unless you name another)")
	fs.StringVar(&a.CPUs, "cpus", "", "pin the whole server to these CPUs (e.g. 0 or 0-1) before it calibrates /cpu")
	fs.IntVar(&a.Procs, "procs", 0, "GOMAXPROCS (0: loops+workers for evented, else the CPUs the process may run on)")
}

// Args is a as `bench serve` arguments (without the command's name): --cpus and --procs
// only when set, so that serve chooses (and reports) the model's GOMAXPROCS itself.
func (a ServeArgs) Args() []string {
	args := []string{"--model", a.Model, "--addr", a.Addr}
	if a.CPUs != "" {
		args = append(args, "--cpus", a.CPUs)
	}
	if a.Procs > 0 {
		args = append(args, "--procs", strconv.Itoa(a.Procs))
	}
	return append(args, a.Extra...)
}

// PeerArgs is a `bench peer` command line: a peer's script run and held on a server
// host.
type PeerArgs struct {
	Script  string
	Port    int    // 0: a free one on Bind
	CPUs    string // the script's CPULIST
	Addr    string // the address the server listens on (PEER_BIND)
	Env     []string
	Timeout time.Duration // the most the script may take to print the PID
}

// envList is a repeatable K=V flag.
type envList struct{ list *[]string }

func (e envList) String() string {
	if e.list == nil {
		return ""
	}
	return strings.Join(*e.list, " ")
}

func (e envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("%q is not K=V", v)
	}
	*e.list = append(*e.list, v)
	return nil
}

// Bind declares the flags into a.
func (a *PeerArgs) Bind(fs *flag.FlagSet) {
	fs.StringVar(&a.Script, "script", "", "the peer's script (required)")
	fs.IntVar(&a.Port, "port", 0, "the port to serve on (0: a free one)")
	fs.StringVar(&a.CPUs, "cpus", "0", "the script's CPULIST")
	fs.StringVar(&a.Addr, "bind", "0.0.0.0", "the address the server listens on (PEER_BIND)")
	fs.Var(envList{&a.Env}, "env", "K=V added to the script's environment (repeatable)")
	fs.DurationVar(&a.Timeout, "timeout", time.Minute, "the most the script may take to print the PID (it may build its server)")
}

// Args is a as `bench peer` arguments (without the command's name).
func (a PeerArgs) Args() []string {
	args := []string{"--script", a.Script, "--port", strconv.Itoa(a.Port), "--cpus", a.CPUs, "--bind", a.Addr,
		"--timeout", a.Timeout.String()}
	for _, e := range a.Env {
		args = append(args, "--env", e)
	}
	return args
}

// PeerStarted is what `bench peer` prints once the script has started the server: "peer
// PID PORT", then the script's settings line ("settings {}" if it printed none).
func PeerStarted(pid, port int, settingsLine string) string {
	if settingsLine == "" {
		settingsLine = settingsPrefix + "{}"
	}
	return fmt.Sprintf("peer %d %d\n%s\n", pid, port, settingsLine)
}

// ParsePeerStarted reads the first line of PeerStarted; ParseSettings reads the second.
func ParsePeerStarted(line string) (pid int, port string, err error) {
	if _, err = fmt.Sscanf(line, "peer %d %s", &pid, &port); err != nil {
		return 0, "", fmt.Errorf("line %q, want \"peer PID PORT\"", line)
	}
	return pid, port, nil
}

// ParsePeerScript reads what a peer script prints on stdout (scripts/peers/README.md):
// the server's PID on the first line, then, optionally, its "settings {JSON}" line,
// returned as printed ("" when there is none; ParseSettings reads it).
func ParsePeerScript(out []byte) (pid int, settings string, err error) {
	first, rest, _ := strings.Cut(string(out), "\n")
	pid, err = strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, "", fmt.Errorf("printed %q, want a PID", first)
	}
	settings, _, _ = strings.Cut(rest, "\n")
	return pid, strings.TrimSpace(settings), nil
}
