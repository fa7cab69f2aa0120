package sshhost

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/orchestrator"
)

// ErrHost is returned when a host cannot be used: ssh fails, another OS or architecture,
// or the bench binary cannot be put there.
var ErrHost = errors.New("orchestrator: host")

// SSH is how the system ssh client is called: the user's keys, agent, ~/.ssh/config
// and jump hosts apply; Config adds -F FILE (a test's throwaway configuration).
type SSH struct {
	Config string // ssh -F
	Bench  string // the bench already installed on the hosts, if any (default "bench")
}

// Host is a host the coordinator runs bench on: over ssh, or this machine
// ("local", as a child process).
type Host struct {
	Dest   string // "local" or an ssh destination (user@host, a config alias)
	Addr   string // the address the host is reached at (ssh -G's hostname)
	CPUs   []int  // where bench runs there (empty: not pinned)
	NumCPU int    // the host's CPUs
	ssh    SSH
	bench  string            // bench's path there
	copied string            // the temp folder this run copied bench into ("": none)
	keeper *session          // bench keep: removes copied when its session ends, however it ends
	peers  map[string]string // local peer script → its copy there (CopyPeers)
}

// command is dest's shell command line run over ssh (or locally with sh -c).
func (h *Host) command(ctx context.Context, script string) *exec.Cmd {
	if orchestrator.IsLocal(h.Dest) {
		return exec.CommandContext(ctx, "sh", "-c", script)
	}
	return exec.CommandContext(ctx, "ssh", h.ssh.args(h.Dest, script)...)
}

func (s SSH) args(dest string, script string) []string {
	args := []string{"-o", "BatchMode=yes", "-T"}
	if s.Config != "" {
		args = append(args, "-F", s.Config)
	}
	return append(args, dest, "--", script)
}

// output runs script on the host and returns its stdout, trimmed.
func (h *Host) output(ctx context.Context, script string, stdin io.Reader) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := h.command(ctx, script)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w %s: %s: %w: %s", ErrHost, h.Dest, script, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// Connect checks dest (same OS and architecture as this build) and makes sure this
// build of bench is there: the installed one if its hash matches, else a copy in a
// temp folder that Close removes.
func Connect(ctx context.Context, ssh SSH, dest string, cpus []int) (*Host, error) {
	h := &Host{Dest: dest, CPUs: cpus, ssh: ssh, Addr: "127.0.0.1", NumCPU: runtime.NumCPU()}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHost, err)
	}
	if orchestrator.IsLocal(dest) {
		h.bench = self
		return h, nil
	}
	if h.Addr, err = resolve(ctx, ssh, dest); err != nil {
		return nil, err
	}
	facts, err := h.output(ctx, "uname -sm; getconf _NPROCESSORS_ONLN", nil)
	if err != nil {
		return nil, err
	}
	lines := strings.Fields(facts)
	if len(lines) != 3 || platform(lines[0], lines[1]) != runtime.GOOS+"/"+runtime.GOARCH {
		return nil, fmt.Errorf("%w %s is %q, this bench is built for %s/%s: build it there", ErrHost, dest, facts, runtime.GOOS, runtime.GOARCH)
	}
	h.NumCPU, _ = strconv.Atoi(lines[2])
	return h, h.install(ctx, self)
}

// resolve is the host name ssh connects to for dest (after ~/.ssh/config), which the
// clients target when the server runs there.
func resolve(ctx context.Context, ssh SSH, dest string) (string, error) {
	args := []string{"-G"}
	if ssh.Config != "" {
		args = append(args, "-F", ssh.Config)
	}
	out, err := exec.CommandContext(ctx, "ssh", append(args, dest)...).Output()
	if err != nil {
		return "", fmt.Errorf("%w %s: ssh -G: %w", ErrHost, dest, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "hostname "); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w %s: ssh -G names no hostname", ErrHost, dest)
}

// platform maps uname -s and -m to GOOS/GOARCH.
func platform(sys, machine string) string {
	arch := map[string]string{"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
		"i686": "386", "armv7l": "arm", "riscv64": "riscv64", "ppc64le": "ppc64le", "s390x": "s390x"}[machine]
	return strings.ToLower(sys) + "/" + arch
}

// install uses the host's bench if it is this build, else copies this executable
// into a fresh temp folder there.
func (h *Host) install(ctx context.Context, self string) error {
	want, err := fileHash(self)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrHost, err)
	}
	installed := h.ssh.Bench
	if installed == "" {
		installed = "bench"
	}
	if got, err := h.output(ctx, shellQuote(installed)+" version 2>/dev/null", nil); err == nil && got == want {
		h.bench = installed
		return nil
	}
	return h.copySelf(ctx, self, want)
}

// copySelf copies this executable (whose hash is want) into a fresh temp folder there,
// held by a keeper.
func (h *Host) copySelf(ctx context.Context, self, want string) error {
	f, err := os.Open(self)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrHost, err)
	}
	defer f.Close()
	dir, err := h.output(ctx, `d=$(mktemp -d /tmp/bench-XXXXXX) && cat > "$d/bench" && chmod 755 "$d/bench" && echo "$d"`, f)
	if err != nil {
		return err
	}
	h.copied, h.bench = dir, dir+"/bench"
	// The keeper removes the folder when its session ends: at Close, or when this process
	// dies (SIGKILL included) and its ssh with it.
	if h.keeper, err = h.startBench(ctx, []string{"keep", "--dir", dir}); err != nil {
		h.Close()
		return err
	}
	if got, err := h.output(ctx, shellQuote(h.bench)+" version", nil); err != nil || got != want {
		h.Close()
		return fmt.Errorf("%w %s: the copy of bench in %s does not run as this build (%q, %v)", ErrHost, h.Dest, dir, got, err)
	}
	return nil
}

// Copied is the temp folder this run copied bench into on the host ("" if none).
func (h *Host) Copied() string { return h.copied }

// Close removes what Connect copied to the host: it ends the keeper's session, which
// removes the folder, and removes it itself should the keeper not have.
func (h *Host) Close() error {
	if h.keeper != nil {
		h.keeper.stop()
		h.keeper = nil
	}
	if h.copied == "" {
		return nil
	}
	dir := h.copied
	h.copied = ""
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := h.output(ctx, "rm -rf "+shellQuote(dir), nil)
	return err
}

// benchLine is the shell line that runs bench with args there, pinned to the host's
// CPUs, ending when the ssh session's stdin closes; it first prints the shell's PID,
// which exec makes bench's.
func (h *Host) benchLine(args []string) string {
	var b strings.Builder
	b.WriteString("echo $$; exec ")
	b.WriteString(shellQuote(h.bench))
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	b.WriteString(" --exit-on-stdin-eof")
	return b.String()
}

// shellJoin is args quoted for a POSIX shell, space-separated.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fileHash is the SHA-256 of a file in hex, as bench version prints its own.
func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return sha256Hex(f)
}
