package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
	"github.com/benchsuite/threads-vs-loop/orchestrator/sshhost"
)

// hostFlags are bench run's multi-host flags.
type hostFlags struct {
	serverHost, clientHosts, sshConfig, remoteBench string
}

// parseHost reads DEST or DEST=CPULIST.
func parseHost(s string) orchestrator.HostSpec {
	dest, cpus, _ := strings.Cut(strings.TrimSpace(s), "=")
	return orchestrator.HostSpec{Dest: dest, CPUs: cpus}
}

// chooseHosts is the run's hosts: the flags over the suite's hosts section; nil when
// everything runs here (the single-host run, unchanged).
func chooseHosts(f hostFlags, suite *orchestrator.Hosts) (*orchestrator.Hosts, error) {
	h := orchestrator.Hosts{Server: orchestrator.HostSpec{Dest: orchestrator.Local}}
	if suite != nil {
		h = *suite
	}
	if f.serverHost != "" {
		h.Server = parseHost(f.serverHost)
	}
	if f.clientHosts != "" {
		h.Clients = nil
		for _, c := range splitList(f.clientHosts) {
			h.Clients = append(h.Clients, parseHost(c))
		}
	}
	if h.Server.Dest == "" {
		h.Server.Dest = orchestrator.Local
	}
	remote := !orchestrator.IsLocal(h.Server.Dest)
	for _, c := range h.Clients {
		remote = remote || !orchestrator.IsLocal(c.Dest)
	}
	if !remote {
		return nil, nil
	}
	if orchestrator.IsLocal(h.Server.Dest) {
		return nil, usageError{"run: client hosts need a --server-host: a server here listens on loopback only"}
	}
	if len(h.Clients) == 0 {
		h.Clients = []orchestrator.HostSpec{{Dest: orchestrator.Local}}
	}
	return &h, nil
}

// multiHost is a connected multi-host run: the server host and the client hosts, each
// with this build of bench there.
type multiHost struct {
	server  *sshhost.Host
	clients []*sshhost.Host
}

// connectHosts checks every host and puts bench there; close removes the copies.
func connectHosts(ctx context.Context, h *orchestrator.Hosts, f hostFlags, stdout io.Writer) (*multiHost, error) {
	ssh := sshhost.SSH{Config: f.sshConfig, Bench: f.remoteBench}
	m := &multiHost{}
	connect := func(spec orchestrator.HostSpec) (*sshhost.Host, error) {
		cpus, err := affinity.Parse(spec.CPUs)
		if err != nil {
			return nil, usageError{fmt.Sprintf("run: host %s: CPUs %q: %v", spec.Dest, spec.CPUs, err)}
		}
		rh, err := sshhost.Connect(ctx, ssh, spec.Dest, cpus)
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		where := "its own bench"
		if rh.Copied() != "" {
			where = "bench copied to " + rh.Copied()
		}
		fmt.Fprintf(stdout, "bench run: host %s (%s, %d CPUs): %s\n", spec.Dest, rh.Addr, rh.NumCPU, where)
		return rh, nil
	}
	var err error
	if m.server, err = connect(h.Server); err != nil {
		return nil, err
	}
	for _, c := range h.Clients {
		rh, err := connect(c)
		if err != nil {
			m.close()
			return nil, err
		}
		m.clients = append(m.clients, rh)
	}
	return m, nil
}

func (m *multiHost) close() {
	for _, h := range append([]*sshhost.Host{m.server}, m.clients...) {
		if h != nil {
			h.Close()
		}
	}
}

// configure sets the run's server host, engine and CPU facts for the hosts.
func (m *multiHost) configure(cfg *orchestrator.Config) {
	cfg.ServerHost, cfg.ServerCPUs, cfg.HostCPUs = m.server, m.server.CPUs, m.server.NumCPU
	cfg.ClientCPUs, cfg.Note = nil, ""
	cfg.Engine = &sshhost.Engine{Hosts: m.clients}
}
