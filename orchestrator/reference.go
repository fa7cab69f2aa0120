package orchestrator

import (
	"context"
	"fmt"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

// ReferenceProbe is the suite's reference as a run measures it: the server to start, the
// request, the connections and the times.
type ReferenceProbe struct {
	Server           ServerSpec
	Path             string
	Concurrency      int
	Warmup, Duration time.Duration
}

// referenceProbe is the suite's reference probe with warmup before its window.
func (s *Suite) referenceProbe(warmup time.Duration) *ReferenceProbe {
	ref := s.Reference
	if ref == nil {
		return nil
	}
	return &ReferenceProbe{Server: s.server(ref.Server), Path: ref.Path, Concurrency: ref.Concurrency,
		Warmup: warmup, Duration: pick(ref.Duration, defaultCapacityDuration)}
}

// reference is what the run's reference probe measured; err when it could not.
type reference struct {
	rps  float64
	note string
	err  error
}

// measureReference runs the reference probe of the first step that needs one, once, as
// the run begins: the probe's server alone on the server CPUs, the closed engine on the
// client's. Its figures go into run.json, the progress output and the notes of the rows
// whose rate it sets.
func (r *runner) measureReference(ctx context.Context) {
	var probe *ReferenceProbe
	for _, st := range r.cfg.Steps {
		if st.Reference != nil && st.Skip == "" {
			probe = st.Reference
			break
		}
	}
	if probe == nil {
		return
	}
	ref := r.runReference(ctx, probe)
	r.reference = &ref
	m := &metrics.ReferenceProbe{Server: probe.Server.Label, Path: probe.Path, Concurrency: probe.Concurrency,
		DurationS: probe.Duration.Seconds(), RPS: ref.rps, Note: ref.note}
	if ref.err != nil {
		m.Note = ref.err.Error()
	}
	r.manifest.Reference = m
	if err := metrics.WriteManifest(r.cfg.Out, r.manifest); err != nil {
		fmt.Fprintf(r.cfg.Progress, "bench: %v\n", err)
	}
	if ref.err != nil {
		fmt.Fprintf(r.cfg.Progress, "reference probe failed: %v\n", ref.err)
		return
	}
	fmt.Fprintf(r.cfg.Progress, "%s\n", ref.note)
}

func (r *runner) runReference(ctx context.Context, probe *ReferenceProbe) reference {
	p, err := r.launch.start(ctx, probe.Server, PeerLoad{Conns: probe.Concurrency, Active: probe.Concurrency, Paths: []string{Endpoint(probe.Path)}})
	if err != nil {
		return reference{err: fmt.Errorf("reference probe: %w", err)}
	}
	r.mu.Lock()
	r.srv = p // so that an interrupt stops it
	r.mu.Unlock()
	defer r.stopServer()
	res, err := r.cfg.Engine.RunClosed(ctx, loadgen.Config{URL: "http://" + p.Addr() + probe.Path,
		Concurrency: probe.Concurrency, Duration: probe.Duration, Warmup: probe.Warmup})
	switch {
	case err != nil:
		return reference{err: fmt.Errorf("reference probe: %w", err)}
	case res.RPS() <= 0 || res.Errors.Total() > 0:
		return reference{err: fmt.Errorf("reference probe: %.0f req/s, %d errors", res.RPS(), res.Errors.Total())}
	}
	share := res.ClientCPUPct / 100 / float64(cpuCountOr(r.cfg.ClientCPUs, r.cfg.HostCPUs))
	return reference{rps: res.RPS(), note: fmt.Sprintf("reference probe: %s on %s, c=%d for %v: %.0f req/s, p99 %v, client CPU %.0f%% of its CPUs",
		probe.Server.Label, probe.Path, probe.Concurrency, probe.Duration, res.RPS(), res.Quantile(99), 100*share)}
}

// referenceRate is the rate a step offers as a share of the reference probe.
func (r *runner) referenceRate(st Step) (float64, string, error) {
	ref := r.reference
	if ref == nil {
		return 0, "", fmt.Errorf("reference probe: not measured")
	}
	if ref.err != nil {
		return 0, "", ref.err
	}
	return st.Fraction * ref.rps, fmt.Sprintf("%.3g × the %s", st.Fraction, ref.note), nil
}
