package sshhost

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
)

// PeersOn copies the peer scripts the suite's scenarios use to the server host h and asks
// there, for each, whether it can run (its requires on PATH there, SCRIPT --check) and
// what it serves (SCRIPT --endpoints): Unavailable and Endpoints for servers that run on h.
// A peer that cannot run there is put in unavailable with the reason, which leaves it out
// (or skips its steps) with that note; the run goes on. This machine's own answer for a
// peer is dropped: the server host is where it runs. A model served by a bench binary
// of its own (ServerSpec.Bench: the gate's twins) is left out the same way: that binary
// is on this machine only.
func PeersOn(ctx context.Context, s *orchestrator.Suite, h *Host, unavailable map[string]string) (map[string][]string, error) {
	used := s.Used()
	var specs []orchestrator.ServerSpec
	var scripts []string
	for _, sv := range s.Servers {
		if sv.Bench != "" && used[sv.Label] {
			unavailable[sv.Label] = fmt.Sprintf("served by bench %s, a binary of the coordinator's that the server host %s does not run", sv.Bench, h.Dest)
		}
		if sv.External != "" && used[sv.Label] {
			delete(unavailable, sv.Label)
			specs, scripts = append(specs, sv), append(scripts, sv.External)
		}
	}
	if len(specs) == 0 {
		return nil, nil
	}
	if err := h.CopyPeers(ctx, scripts); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, sv := range specs {
		eps, why, err := h.peerFacts(ctx, h.peers[sv.External], sv.Requires)
		switch {
		case err != nil:
			unavailable[sv.Label] = err.Error()
		case why != "":
			unavailable[sv.Label] = fmt.Sprintf("%s (on %s)", why, h.Dest)
		default:
			out[sv.Label] = eps
		}
	}
	return out, nil
}

// peerFacts runs a peer script's checks on the host: why it cannot run there (its
// requires, then SCRIPT --check), or the endpoints it serves (SCRIPT --endpoints).
func (h *Host) peerFacts(ctx context.Context, script string, requires []string) (endpoints []string, why string, err error) {
	var b strings.Builder
	b.WriteString("s=" + shellQuote(script) + "; for c in")
	for _, r := range requires {
		b.WriteString(" " + shellQuote(r))
	}
	b.WriteString(`; do command -v "$c" >/dev/null 2>&1 || { echo "unavailable $c is not installed"; exit 0; }; done; ` +
		`if ! why=$("$s" --check 2>&1); then echo "unavailable ${why:-$s --check failed}"; exit 0; fi; ` +
		`e=$("$s" --endpoints) && echo "endpoints $e"`)
	out, err := h.output(ctx, b.String(), nil)
	if err != nil {
		return nil, "", err
	}
	if why, ok := strings.CutPrefix(out, "unavailable "); ok {
		return nil, strings.Join(strings.Fields(why), " "), nil
	}
	eps, ok := strings.CutPrefix(out, "endpoints ")
	if !ok {
		return nil, "", fmt.Errorf("%w %s: %s --endpoints printed %q", ErrHost, h.Dest, script, out)
	}
	return strings.Fields(eps), "", nil
}

// CopyPeers copies the folder of each peer script (whole: its helpers and sources, such
// as cthreads.c) into the folder this run copied bench into there, at
// peers-HASH/scripts/NAME, HASH the SHA-256 of the folder's files, and remembers where each
// script is there. The folder is removed with bench's (the keeper, or Close). A host that
// runs its own bench gets a copy of this one first, for the folder and its keeper.
func (h *Host) CopyPeers(ctx context.Context, scripts []string) error {
	if h.peers == nil {
		h.peers = map[string]string{}
	}
	if orchestrator.IsLocal(h.Dest) {
		for _, s := range scripts {
			h.peers[s] = s
		}
		return nil
	}
	if h.copied == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHost, err)
		}
		want, err := fileHash(self)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHost, err)
		}
		if err := h.copySelf(ctx, self, want); err != nil {
			return err
		}
	}
	there := map[string]string{} // a local folder → its copy there
	for _, s := range scripts {
		abs, err := filepath.Abs(s)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHost, err)
		}
		dir := filepath.Dir(abs)
		if _, done := there[dir]; !done {
			if there[dir], err = h.copyFolder(ctx, dir); err != nil {
				return err
			}
		}
		h.peers[s] = there[dir] + "/" + filepath.Base(abs)
	}
	return nil
}

// copyFolder sends dir's files to the host (tar unpacks them there) and returns where.
func (h *Host) copyFolder(ctx context.Context, dir string) (string, error) {
	archive, hash, err := tarFolder(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrHost, err)
	}
	there := fmt.Sprintf("%s/peers-%s/scripts/%s", h.copied, hash[:16], filepath.Base(dir))
	q := shellQuote(there)
	if _, err := h.output(ctx, "mkdir -p "+q+" && tar -x -f - -C "+q, bytes.NewReader(archive)); err != nil {
		return "", err
	}
	return there, nil
}

// tarFolder is a tar archive of dir's regular files (not its subfolders), in name order,
// with their modes and modification times (cthreads.sh rebuilds when its source is newer
// than the binary), and the SHA-256 of their names, modes and contents.
func tarFolder(dir string) ([]byte, string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	sum := sha256.New()
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, "", err
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, "", err
		}
		mode := int64(info.Mode().Perm())
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.Name(), Mode: mode, Size: int64(len(b)),
			ModTime: info.ModTime().Truncate(time.Second), Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, "", err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, "", err
		}
		fmt.Fprintf(sum, "%s %o %d\n", e.Name(), mode, len(b))
		sum.Write(b)
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), hex.EncodeToString(sum.Sum(nil)), nil
}

// startPeer runs spec's script on the server host through bench peer, which picks a
// free port there, has the server listen on every address (PEER_BIND=0.0.0.0; loopback
// when the "server host" is this machine), and stops it when the session ends. The
// clients target the address the host is reached at.
func (h *Host) startPeer(ctx context.Context, s orchestrator.ServerStart) (*server, error) {
	spec := s.Spec
	script, ok := h.peers[spec.External]
	if !ok {
		return nil, fmt.Errorf("%s was not copied to %s", spec.External, h.Dest)
	}
	cpus := affinity.Format(s.CPUs)
	if cpus == "" {
		cpus = "0-" + strconv.Itoa(h.NumCPU-1)
	}
	bind := "0.0.0.0"
	if orchestrator.IsLocal(h.Dest) {
		bind = h.Addr
	}
	env := append(append(s.Env[:len(s.Env):len(s.Env)], spec.EnvList()...), s.Load.Env()...)
	args := wire.PeerArgs{Script: script, CPUs: cpus, Addr: bind, Env: env, Timeout: orchestrator.PeerStartTimeout}
	rp, err := h.startBench(ctx, append([]string{"peer"}, args.Args()...))
	if err != nil {
		return nil, err
	}
	p := &server{session: rp}
	line, err := rp.readLine(ctx, orchestrator.PeerStartTimeout+orchestrator.StartTimeout)
	var port string
	if err == nil {
		p.pid, port, err = wire.ParsePeerStarted(line)
	}
	if err == nil { // bench peer forwards the script's settings line ("settings {}" if none)
		if line, err = rp.readLine(ctx, orchestrator.StartTimeout); err == nil {
			p.settings, err = wire.ParseSettings(line)
		}
	}
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s on %s: %w%s", spec.External, h.Dest, err, rp.stderr.Suffix())
	}
	p.addr = net.JoinHostPort(h.Addr, port)
	go io.Copy(io.Discard, rp.stdout)
	return p, nil
}
